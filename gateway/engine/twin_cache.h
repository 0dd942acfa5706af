#pragma once
// A bounded, expiring cache in front of the twin directory (rmb-peer: 500 entries, 300 s,
// PROTOCOL.md §11). Only twins that exist are cached: an unknown twin is asked again, so a
// twin registered a moment ago is found at once; lookup errors are never cached.
#include <chrono>
#include <cstdint>
#include <mutex>

#include "core/directory/substrate/expiring_cache.h"
#include "core/directory/twin_directory.h"

namespace rmb::gateway {

class TwinCache {
 public:
  using Clock = std::chrono::steady_clock;

  TwinCache(core::TwinDirectory& directory, size_t capacity, Clock::duration ttl);

  // A hit calls `done` at once on the caller's thread; a miss asks the directory, whose
  // callback may run later on another thread.
  void get(uint32_t id, core::TwinDirectory::TwinCallback done);
  // Forgets `id` (e.g. after its key failed to verify a signature, in case it changed).
  void forget(uint32_t id);
  size_t size() const;

 private:
  core::TwinDirectory& directory_;
  mutable std::mutex mu_;
  core::ExpiringCache<uint32_t, core::Twin> cache_;
};

}  // namespace rmb::gateway
