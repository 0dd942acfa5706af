#pragma once
// Reconnect delays between `min` and `max`: the ceiling doubles at each failure, and each
// delay is drawn from the upper half below it, so that many peers cut off together do not
// come back in lockstep.
#include <chrono>
#include <cstdint>
#include <random>

namespace rmb::gateway::link {

class Backoff {
 public:
  using Millis = std::chrono::milliseconds;

  Backoff(Millis min, Millis max, uint64_t seed);

  // The delay before the next attempt, in [min, max]: the first in [min, 2 min], then
  // [c/2, c] for a ceiling c that doubles up to max.
  Millis next();
  // After a successful connection the next delay starts from min again.
  void reset() { ceiling_ = min_; }

 private:
  Millis min_;
  Millis max_;
  Millis ceiling_;
  std::mt19937_64 rng_;
};

}  // namespace rmb::gateway::link
