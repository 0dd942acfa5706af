#include "gateway/engine/expiring_set.h"

namespace rmb::gateway {

void ExpiringSet::purge(Clock::time_point now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    keys_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

ExpiringSet::Insert ExpiringSet::insert(const std::string& key, Clock::time_point expires, Clock::time_point now) {
  purge(now);
  if (keys_.count(key) != 0) return Insert::kPresent;
  if (expires <= now) return Insert::kInserted;  // gone at once: nothing to remember
  if (capacity_ == 0) return policy_ == Full::kRefuse ? Insert::kFull : Insert::kInserted;
  if (keys_.size() >= capacity_) {
    if (policy_ == Full::kRefuse) return Insert::kFull;
    keys_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  keys_.emplace(key, expires);
  by_expiry_.emplace(expires, key);
  return Insert::kInserted;
}

bool ExpiringSet::contains(const std::string& key, Clock::time_point now) {
  purge(now);
  return keys_.count(key) != 0;
}

std::optional<ExpiringSet::Clock::time_point> ExpiringSet::expiry(const std::string& key, Clock::time_point now) {
  purge(now);
  const auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

bool ExpiringSet::erase(const std::string& key) {
  const auto it = keys_.find(key);
  if (it == keys_.end()) return false;
  by_expiry_.erase({it->second, key});
  keys_.erase(it);
  return true;
}

size_t ExpiringSet::size(Clock::time_point now) {
  purge(now);
  return keys_.size();
}

}  // namespace rmb::gateway
