#include "relay/rate_limiter.h"

#include <gtest/gtest.h>

namespace rmb::relay {
namespace {

constexpr uint64_t kT0 = 1'700'000'000 / 60 * 60;  // start of a window

TEST(RateLimiter, CountLimitPerWindow) {
  RateLimiter limiter({3, 1000}, 10);
  EXPECT_TRUE(limiter.measure(7, 10, kT0));
  EXPECT_TRUE(limiter.measure(7, 10, kT0 + 1));
  EXPECT_TRUE(limiter.measure(7, 10, kT0 + 59));
  EXPECT_FALSE(limiter.measure(7, 10, kT0 + 59));  // 4th frame in the window
  // Next window: counters reset.
  EXPECT_TRUE(limiter.measure(7, 10, kT0 + 60));
}

TEST(RateLimiter, SizeLimitAndOversizeFrames) {
  RateLimiter limiter({100, 100}, 10);
  EXPECT_FALSE(limiter.measure(1, 101, kT0));  // larger than size: rejected, not counted
  EXPECT_TRUE(limiter.measure(1, 100, kT0));   // so a full-size frame still fits
  EXPECT_FALSE(limiter.measure(1, 1, kT0));    // total 101 > 100
  // The rejected frame counted: even 0 bytes now exceed (total stays 101).
  EXPECT_FALSE(limiter.measure(1, 0, kT0));
}

TEST(RateLimiter, PerTwinSharedAcrossSessions) {
  RateLimiter limiter({1, 1000}, 10);
  EXPECT_TRUE(limiter.measure(1, 1, kT0));
  EXPECT_TRUE(limiter.measure(2, 1, kT0));   // another twin has its own budget
  EXPECT_FALSE(limiter.measure(1, 1, kT0));  // same twin (any session) is over
}

TEST(RateLimiter, LruBoundsState) {
  RateLimiter limiter({1, 1000}, 2);
  EXPECT_TRUE(limiter.measure(1, 1, kT0));
  EXPECT_TRUE(limiter.measure(2, 1, kT0));
  EXPECT_TRUE(limiter.measure(3, 1, kT0));  // evicts twin 1, the least recently used
  EXPECT_EQ(limiter.tracked(), 2u);
  EXPECT_TRUE(limiter.measure(1, 1, kT0));   // twin 1 starts over
  EXPECT_FALSE(limiter.measure(3, 1, kT0));  // twin 3 is still tracked and over
}

}  // namespace
}  // namespace rmb::relay
