#pragma once
// Fixed-window rate limiter per twin, shared by all of the twin's sessions (PROTOCOL.md
// §5.9): window = floor(now / 60); per window at most `count` frames and `size` bytes; a
// frame larger than `size` is rejected without being counted, a rejected frame that fits
// still counts. State for at most `capacity` twins, least recently used evicted first
// (an evicted twin simply starts a fresh window). Thread-safe.
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

namespace rmb::relay {

struct RateLimit {
  uint64_t count = 0;  // frames per window
  uint64_t size = 0;   // bytes per window (and per frame)
};

class RateLimiter {
 public:
  static constexpr uint64_t kWindowSeconds = 60;

  RateLimiter(RateLimit limit, size_t capacity);

  // Accounts one frame of `len` bytes for `twin` at unix time `now`; false = reject.
  bool measure(uint32_t twin, uint64_t len, uint64_t now);
  size_t tracked() const;

 private:
  struct State {
    uint32_t twin;
    uint64_t window = 0;
    uint64_t count = 0;
    uint64_t total = 0;
  };

  const RateLimit limit_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<State> lru_;  // most recently used at the front
  std::unordered_map<uint32_t, std::list<State>::iterator> index_;
};

}  // namespace rmb::relay
