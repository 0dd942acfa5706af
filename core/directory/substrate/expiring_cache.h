#pragma once
// A bounded LRU map whose entries expire `ttl` after insertion (rmb-peer's twin cache:
// 500 entries, 300 s). Not thread-safe: the owner locks.
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <optional>

namespace rmb::core {

template <class K, class V>
class ExpiringCache {
 public:
  using Clock = std::chrono::steady_clock;

  ExpiringCache(size_t capacity, Clock::duration ttl) : capacity_(capacity), ttl_(ttl) {}

  // The value if present and not expired at `now`; a hit moves the key to the front.
  std::optional<V> get(const K& key, Clock::time_point now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.expires) {
      order_.erase(it->second.position);
      entries_.erase(it);
      return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second.position);
    return it->second.value;
  }

  void put(const K& key, V value, Clock::time_point now) {
    if (capacity_ == 0) return;
    erase(key);
    while (entries_.size() >= capacity_) {
      entries_.erase(order_.back());
      order_.pop_back();
    }
    order_.push_front(key);
    entries_.emplace(key, Entry{std::move(value), now + ttl_, order_.begin()});
  }

  void erase(const K& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    order_.erase(it->second.position);
    entries_.erase(it);
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    V value;
    Clock::time_point expires;
    typename std::list<K>::iterator position;
  };
  size_t capacity_;
  Clock::duration ttl_;
  std::list<K> order_;  // most recently used first
  std::map<K, Entry> entries_;
};

}  // namespace rmb::core
