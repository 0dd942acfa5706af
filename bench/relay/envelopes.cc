#include "bench/relay/envelopes.h"

#include <sodium.h>

#include "absl/strings/str_format.h"
#include "core/protocol/envelope/signing.h"
#include "core/util/clock.h"
#include "rmb/types.pb.h"

namespace rmb::bench {
namespace {

std::string random_uuid() {
  uint8_t b[16];
  randombytes_buf(b, sizeof(b));
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
                         b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

std::string random_payload(size_t size) {
  std::string payload(size, '\0');
  randombytes_buf(payload.data(), payload.size());
  return payload;
}

rmb::Envelope base(const Identity& from, uint32_t to, size_t payload_size) {
  rmb::Envelope env;
  env.set_uid(random_uuid());
  env.set_timestamp(core::unix_now());
  env.set_expiration(300);
  env.mutable_source()->set_twin(from.twin);
  env.mutable_destination()->set_twin(to);
  env.set_plain(random_payload(payload_size));
  return env;
}

}  // namespace

std::string signed_request(const Identity& from, uint32_t to, size_t payload_size) {
  rmb::Envelope env = base(from, to, payload_size);
  env.mutable_request()->set_command("bench.echo");
  core::sign_envelope(env, *from.signer);
  return env.SerializeAsString();
}

std::string signed_response(const Identity& from, uint32_t to, size_t payload_size) {
  rmb::Envelope env = base(from, to, payload_size);
  env.mutable_response();
  core::sign_envelope(env, *from.signer);
  return env.SerializeAsString();
}

std::string ping_envelope(const Identity& from, size_t payload_size) {
  rmb::Envelope env = base(from, 0, payload_size);
  env.mutable_ping();
  return env.SerializeAsString();
}

}  // namespace rmb::bench
