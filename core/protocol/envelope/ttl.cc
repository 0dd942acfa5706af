#include "core/protocol/envelope/ttl.h"

#include <algorithm>
#include <cstdint>

namespace rmb::core {

void stamp(rmb::Envelope& envelope, uint64_t now) {
  const uint64_t ts = envelope.timestamp();
  if (ts != 0 && ts < now) {
    const uint64_t elapsed = now - ts;
    const uint64_t exp = envelope.expiration();
    envelope.set_expiration(exp > elapsed ? exp - elapsed : 0);
  }
  envelope.set_timestamp(now);
}

int64_t ttl_remaining(const rmb::Envelope& envelope, uint64_t now) {
  // timestamp and expiration come off the wire and may be anything: saturate rather
  // than wrap.
  uint64_t deadline = 0;
  if (__builtin_add_overflow(envelope.timestamp(), envelope.expiration(), &deadline)) {
    return INT64_MAX;
  }
  if (deadline >= now) {
    const uint64_t left = deadline - now;
    return left > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(left);
  }
  const uint64_t late = now - deadline;
  return late > static_cast<uint64_t>(INT64_MAX) ? INT64_MIN : -static_cast<int64_t>(late);
}

bool is_expired(const rmb::Envelope& envelope, uint64_t now) { return ttl_remaining(envelope, now) <= 0; }

uint64_t clamp_ttl(uint64_t ttl) {
  if (ttl == 0) return kDefaultTtl;
  return std::min(ttl, kMaxTtl);
}

}  // namespace rmb::core
