#pragma once
// ECDH results cached per peer public key: the Rust peer recomputes ECDH for every
// message; a cache hit costs a hash lookup. Bounded LRU, safe from many threads.
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/protocol/e2e/e2e_key.h"

namespace rmb::core {

class SharedKeyCache {
 public:
  SharedKeyCache(E2eKey own, size_t capacity = 1024);
  absl::StatusOr<SharedKey> get(ByteView peer_public_key);
  const E2eKey& own_key() const { return own_; }
  size_t size() const;

 private:
  E2eKey own_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::pair<std::string, SharedKey>> lru_;  // front = most recent
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;
};

}  // namespace rmb::core
