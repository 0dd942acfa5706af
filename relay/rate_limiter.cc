#include "relay/rate_limiter.h"

#include <algorithm>

namespace rmb::relay {

RateLimiter::RateLimiter(RateLimit limit, size_t capacity) : limit_(limit), capacity_(std::max<size_t>(capacity, 1)) {}

bool RateLimiter::measure(uint32_t twin, uint64_t len, uint64_t now) {
  if (len > limit_.size) return false;
  const uint64_t window = now / kWindowSeconds;
  std::lock_guard lock(mu_);
  auto it = index_.find(twin);
  if (it == index_.end()) {
    if (lru_.size() >= capacity_) {
      index_.erase(lru_.back().twin);
      lru_.pop_back();
    }
    lru_.push_front(State{twin, window, 0, 0});
    it = index_.emplace(twin, lru_.begin()).first;
  } else if (it->second != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  State& state = *it->second;
  if (state.window != window) state = State{twin, window, 0, 0};
  state.count += 1;
  state.total += len;
  return state.count <= limit_.count && state.total <= limit_.size;
}

size_t RateLimiter::tracked() const {
  std::lock_guard lock(mu_);
  return index_.size();
}

}  // namespace rmb::relay
