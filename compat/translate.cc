#include "compat/translate.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/errors.h"
#include "core/protocol/envelope/ttl.h"
#include "core/util/bytes.h"

namespace rmb::compat {
namespace {

std::optional<gateway::RmbError> to_rmb(const std::optional<ErrorJson>& e) {
  if (!e) return std::nullopt;
  return gateway::RmbError{e->code, e->message};
}

std::optional<ErrorJson> to_json_error(const std::optional<gateway::RmbError>& e) {
  if (!e) return std::nullopt;
  return ErrorJson{e->code, e->message};
}

}  // namespace

std::variant<PreparedRequest, gateway::RmbError> prepare_request(const RequestJson& json, uint64_t unix_now) {
  if (json.dst.empty()) return no_destination_error();
  if (json.cmd.empty()) return invalid_request_error("key 'cmd' must not be empty");
  auto plain = core::from_base64_std(json.dat);
  if (!plain.ok()) return bad_base64_error();

  // Stamp (§8.5 step 4) without overflow: `exp` and `now` are arbitrary u64s.
  uint64_t left = json.exp;
  if (json.now != 0 && json.now <= unix_now) {
    uint64_t elapsed = unix_now - json.now;
    left = elapsed >= json.exp ? 0 : json.exp - elapsed;
  }
  if (left == 0) return expired_error();

  PreparedRequest out;
  out.ttl = static_cast<int64_t>(std::min<uint64_t>(left, core::kMaxTtl));
  gateway::OutgoingRequest& r = out.request;
  r.destinations.reserve(json.dst.size());
  for (uint32_t twin : json.dst) r.destinations.push_back(core::AddressText{twin, std::nullopt});
  r.command = json.cmd;
  r.data.assign(reinterpret_cast<const char*>(plain->data()), plain->size());
  r.schema = json.shm;
  r.tags = json.tag;
  // Already stamped: the gateway sees a current timestamp and the remaining TTL, capped
  // at 1800 afterwards as rmb-peer clamps each destination's copy (§8.5 step 7.2).
  r.timestamp = unix_now;
  r.expiration = static_cast<uint64_t>(out.ttl);
  return out;
}

std::optional<IncomingResponseJson> outcome_to_json(const gateway::Outcome& outcome,
                                                    const std::optional<std::string>& ref) {
  if (outcome.expired) return std::nullopt;
  IncomingResponseJson j;
  j.ref = ref;
  switch (outcome.origin) {
    case gateway::Outcome::Origin::kRemote:
      j.src = core::format_address(outcome.source.twin, outcome.source.connection);
      break;
    case gateway::Outcome::Origin::kRelay:
      j.src = "0";
      break;
    case gateway::Outcome::Origin::kLocal:
      j.src = "";
      break;
  }
  j.dat = outcome.error ? std::string() : core::base64_std(core::as_bytes(outcome.data));
  j.shm = outcome.schema;
  j.now = outcome.origin == gateway::Outcome::Origin::kLocal ? 0 : outcome.timestamp;
  j.err = to_json_error(outcome.error);
  return j;
}

absl::StatusOr<RoutedReply> route_by_backlog(const gateway::Outcome& reply, std::string_view backlog_bytes) {
  auto backlog = decode_backlog(backlog_bytes);
  if (!backlog.ok()) return backlog.status();
  if (!backlog->module.empty()) {
    return absl::UnimplementedError(
        absl::StrCat("the backlog is for the rmb-rs plugin '", backlog->module, "', which this peer does not run"));
  }
  auto json = outcome_to_json(reply, backlog->reference);
  if (!json) return absl::InvalidArgumentError("an expiry is no reply");
  return RoutedReply{backlog->reply_to, to_json(*json)};
}

IncomingResponseJson error_to_json(const gateway::RmbError& error, const std::optional<std::string>& ref) {
  IncomingResponseJson j;
  j.ref = ref;
  j.err = ErrorJson{error.code, error.message};
  return j;
}

IncomingRequestJson incoming_to_json(const gateway::IncomingRequest& request) {
  IncomingRequestJson j;
  j.ref = request.uid;
  j.src = core::format_address(request.source.twin, request.source.connection);
  j.cmd = request.command;
  j.exp = request.expiration;
  j.dat = core::base64_std(core::as_bytes(request.data));
  j.tag = request.tags;
  j.shm = request.schema;
  j.now = request.timestamp;
  return j;
}

absl::StatusOr<PreparedReply> prepare_reply(const ResponseJson& json) {
  auto dst = core::parse_address(json.dst);
  if (!dst.ok()) return dst.status();
  PreparedReply out;
  out.uid = json.ref.value_or("");
  out.destination = *dst;
  out.reply.schema = json.shm;
  out.reply.timestamp = json.now;
  out.reply.error = to_rmb(json.err);
  if (!out.reply.error) {
    auto plain = core::from_base64_std(json.dat);
    if (plain.ok()) {
      out.reply.data.assign(reinterpret_cast<const char*>(plain->data()), plain->size());
    } else {
      out.reply.error = bad_base64_error();
      out.warning = "reply 'dat' is not valid base64; the caller gets an error instead";
    }
  }
  return out;
}

}  // namespace rmb::compat
