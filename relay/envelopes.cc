#include "relay/envelopes.h"

#include "core/protocol/errors.h"

namespace rmb::relay {

SessionId session_of(const rmb::Address& address) {
  SessionId id;
  id.twin = address.twin();
  if (address.has_connection()) id.sid = address.connection();
  return id;
}

bool address_is(const rmb::Address& address, const SessionId& id) {
  if (address.twin() != id.twin || address.has_connection() != id.sid.has_value()) return false;
  return !id.sid || address.connection() == *id.sid;
}

std::string error_envelope(std::string_view uid, std::string_view text, const std::optional<SessionId>& to,
                           uint64_t now) {
  rmb::Envelope env;
  env.set_uid(std::string(uid));
  env.set_timestamp(now);
  env.set_expiration(kErrorEnvelopeExpiration);
  auto* error = env.mutable_error();
  error->set_code(core::rmb_error::kUnspecified);
  error->set_message(std::string(text));
  if (to) {
    auto* dst = env.mutable_destination();
    dst->set_twin(to->twin);
    if (to->sid) dst->set_connection(*to->sid);
  }
  return env.SerializeAsString();
}

void ping_to_pong(rmb::Envelope& envelope) {
  envelope.mutable_pong();  // replaces the ping in the `message` oneof
  rmb::Address source = envelope.source();
  rmb::Address destination = envelope.destination();
  const bool had_source = envelope.has_source();
  const bool had_destination = envelope.has_destination();
  if (had_destination)
    *envelope.mutable_source() = std::move(destination);
  else
    envelope.clear_source();
  if (had_source)
    *envelope.mutable_destination() = std::move(source);
  else
    envelope.clear_destination();
  std::string plain = envelope.has_plain() ? envelope.plain() : std::string();
  plain += "hello world";
  envelope.set_plain(std::move(plain));
}

}  // namespace rmb::relay
