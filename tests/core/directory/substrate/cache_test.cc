#include "core/directory/substrate/expiring_cache.h"

#include <gtest/gtest.h>

namespace rmb::core {
namespace {

using Clock = std::chrono::steady_clock;

TEST(ExpiringCache, ExpiresAfterTtl) {
  ExpiringCache<int, std::string> c(10, std::chrono::seconds(300));
  const auto t0 = Clock::time_point{} + std::chrono::hours(1);
  c.put(1, "a", t0);
  EXPECT_EQ(c.get(1, t0 + std::chrono::seconds(299)), "a");
  EXPECT_EQ(c.get(1, t0 + std::chrono::seconds(300)), std::nullopt);
  EXPECT_EQ(c.size(), 0u);
}

TEST(ExpiringCache, EvictsLeastRecentlyUsed) {
  ExpiringCache<int, int> c(2, std::chrono::seconds(300));
  const auto t = Clock::time_point{};
  c.put(1, 10, t);
  c.put(2, 20, t);
  EXPECT_EQ(c.get(1, t), 10);  // 2 is now the oldest
  c.put(3, 30, t);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.get(2, t), std::nullopt);
  EXPECT_EQ(c.get(1, t), 10);
  EXPECT_EQ(c.get(3, t), 30);
  c.put(1, 11, t);  // replace keeps the size
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.get(1, t), 11);
}

TEST(ExpiringCache, ZeroCapacityCachesNothing) {
  ExpiringCache<int, int> c(0, std::chrono::seconds(300));
  c.put(1, 1, Clock::time_point{});
  EXPECT_EQ(c.get(1, Clock::time_point{}), std::nullopt);
}

}  // namespace
}  // namespace rmb::core
