#pragma once
// Timestamp / expiration rules (PROTOCOL.md §5.8, §8.5, §11).
#include <cstdint>

#include "rmb/types.pb.h"

namespace rmb::core {

inline constexpr uint64_t kDefaultTtl = 300;
inline constexpr uint64_t kMaxTtl = 1800;

// rmb-peer stamping: a zero or future timestamp becomes `now`; an older one is moved to
// `now` and the expiration shrinks by the elapsed time (never below 0).
void stamp(rmb::Envelope& envelope, uint64_t now);
// Seconds left: timestamp + expiration - now (negative when expired).
int64_t ttl_remaining(const rmb::Envelope& envelope, uint64_t now);
bool is_expired(const rmb::Envelope& envelope, uint64_t now);
// 0 -> 300, > 1800 -> 1800.
uint64_t clamp_ttl(uint64_t ttl);

}  // namespace rmb::core
