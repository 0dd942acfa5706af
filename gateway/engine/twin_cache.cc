#include "gateway/engine/twin_cache.h"

#include <utility>

namespace rmb::gateway {

TwinCache::TwinCache(core::TwinDirectory& directory, size_t capacity, Clock::duration ttl)
    : directory_(directory), cache_(capacity, ttl) {}

void TwinCache::get(uint32_t id, core::TwinDirectory::TwinCallback done) {
  std::optional<core::Twin> hit;
  {
    std::lock_guard lock(mu_);
    hit = cache_.get(id, Clock::now());
  }
  if (hit) {
    done(std::optional<core::Twin>(std::move(*hit)));
    return;
  }
  directory_.get_twin(id, [this, id, done = std::move(done)](absl::StatusOr<std::optional<core::Twin>> result) {
    if (result.ok() && result->has_value()) {
      std::lock_guard lock(mu_);
      cache_.put(id, **result, Clock::now());
    }
    done(std::move(result));
  });
}

void TwinCache::forget(uint32_t id) {
  std::lock_guard lock(mu_);
  cache_.erase(id);
}

size_t TwinCache::size() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

}  // namespace rmb::gateway
