// The relay's Redis mailbox reads an envelope's deadline from stored bytes with a hand-written
// protobuf walk (relay/mailbox/envelope_deadline.h). The bytes come from Redis, written by any
// relay of the network. Differential: wherever protobuf's own parser accepts the bytes as an
// Envelope, the walk must accept them too and read the same timestamp + expiration.
#include <cstdint>
#include <string_view>

#include "fuzz/harness.h"
#include "relay/mailbox/envelope_deadline.h"
#include "rmb/types.pb.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rmb::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto deadline = rmb::relay::envelope_deadline(bytes);

  rmb::Envelope env;
  if (!env.ParseFromArray(data, static_cast<int>(size))) return 0;
  rmb::fuzz::require(deadline.has_value());
  const uint64_t t = env.timestamp(), e = env.expiration();
  rmb::fuzz::require(*deadline == (e > UINT64_MAX - t ? UINT64_MAX : t + e));
  return 0;
}
