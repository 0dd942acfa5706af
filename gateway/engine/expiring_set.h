#pragma once
// A bounded set of keys, each forgotten at its own expiry. Used for duplicate suppression of
// incoming requests (a (source, uid) seen within its validity window is delivered once) and
// for the incoming requests a service still owes an answer. Not thread-safe: the owner locks.
#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace rmb::gateway {

class ExpiringSet {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Full {
    kEvictOldest,  // make room by forgetting the key that expires first (dedupe)
    kRefuse,       // refuse new keys until some expire or are erased (admission)
  };
  enum class Insert { kInserted, kPresent, kFull };

  ExpiringSet(size_t capacity, Full policy) : capacity_(capacity), policy_(policy) {}

  // Adds `key` until `expires`. kPresent when it is already there and not expired (its
  // expiry is left as it was).
  Insert insert(const std::string& key, Clock::time_point expires, Clock::time_point now);
  bool contains(const std::string& key, Clock::time_point now);
  // When `key` is forgotten, if it is there (and not expired) at `now`.
  std::optional<Clock::time_point> expiry(const std::string& key, Clock::time_point now);
  bool erase(const std::string& key);
  // Live keys at `now` (expired ones are dropped first).
  size_t size(Clock::time_point now);

 private:
  void purge(Clock::time_point now);

  size_t capacity_;
  Full policy_;
  std::unordered_map<std::string, Clock::time_point> keys_;
  std::set<std::pair<Clock::time_point, std::string>> by_expiry_;
};

}  // namespace rmb::gateway
