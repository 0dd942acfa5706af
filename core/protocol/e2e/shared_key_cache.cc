#include "core/protocol/e2e/shared_key_cache.h"

#include <algorithm>

namespace rmb::core {

SharedKeyCache::SharedKeyCache(E2eKey own, size_t capacity)
    : own_(std::move(own)), capacity_(std::max<size_t>(capacity, 1)) {}

absl::StatusOr<SharedKey> SharedKeyCache::get(ByteView peer_public_key) {
  // The lookup key lives in a per-thread buffer whose capacity survives between calls,
  // so a hit allocates nothing.
  thread_local std::string lookup;
  lookup.assign(as_chars(peer_public_key));
  {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(lookup); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
  }
  // ECDH runs outside the lock so one slow miss does not stall every other sender. Two
  // threads missing on the same key both compute it; the second insert is a no-op.
  absl::StatusOr<SharedKey> key = own_.shared_key(peer_public_key);
  if (!key.ok()) return key.status();  // bad keys are not cached: they are cheap to reject

  std::string id(as_chars(peer_public_key));
  std::lock_guard lock(mu_);
  if (index_.find(id) == index_.end()) {
    lru_.emplace_front(id, *key);
    index_.emplace(std::move(id), lru_.begin());
    while (lru_.size() > capacity_) {
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }
  return key;
}

size_t SharedKeyCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace rmb::core
