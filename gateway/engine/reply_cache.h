#pragma once
// The replies this gateway gave to incoming requests, kept as the signed frames that went
// out, so that a repeated request (same source and uid: the caller sent it again because
// the reply, or the request, may have died in a relay) is answered with the same reply
// instead of reaching the service a second time. Each entry lives until its request would
// have expired; the cache is bounded by entries and by bytes, and when full the entry that
// expires first is forgotten (its request, if repeated, then gets no answer from here and
// its caller's deadline settles it). Not thread-safe: the owner locks.
#include <chrono>
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace rmb::gateway {

class ReplyCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Frame = std::shared_ptr<const std::string>;

  ReplyCache(size_t max_entries, size_t max_bytes) : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // Keeps `frame` for `key` until `expires` (replacing an older reply for the same key).
  // A frame larger than the whole byte bound is not kept.
  void put(const std::string& key, Frame frame, Clock::time_point expires, Clock::time_point now);
  // The reply given for `key`, or null.
  Frame get(const std::string& key, Clock::time_point now);

  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  struct Entry {
    Frame frame;
    Clock::time_point expires;
  };
  void purge(Clock::time_point now);
  void erase_first();

  size_t max_entries_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  std::set<std::pair<Clock::time_point, std::string>> by_expiry_;
};

}  // namespace rmb::gateway
