#include "gateway/link/backoff.h"

#include <algorithm>

namespace rmb::gateway::link {

Backoff::Backoff(Millis min, Millis max, uint64_t seed)
    : min_(std::max(min, Millis(1))), max_(std::max(max, min_)), ceiling_(min_), rng_(seed) {}

Backoff::Millis Backoff::next() {
  const Millis hi = ceiling_ >= max_ / 2 ? max_ : ceiling_ * 2;
  const Millis lo = std::max(min_, hi / 2);
  std::uniform_int_distribution<int64_t> pick(lo.count(), hi.count());
  ceiling_ = hi;
  return Millis(pick(rng_));
}

}  // namespace rmb::gateway::link
