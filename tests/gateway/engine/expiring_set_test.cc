#include "gateway/engine/expiring_set.h"

#include <gtest/gtest.h>

namespace rmb::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = ExpiringSet::Clock;
using Insert = ExpiringSet::Insert;

TEST(ExpiringSet, RemembersAKeyUntilItExpires) {
  ExpiringSet set(10, ExpiringSet::Full::kEvictOldest);
  const auto t0 = Clock::time_point{} + 1000s;
  EXPECT_EQ(set.insert("7/a", t0 + 10s, t0), Insert::kInserted);
  EXPECT_EQ(set.insert("7/a", t0 + 20s, t0 + 5s), Insert::kPresent);
  EXPECT_TRUE(set.contains("7/a", t0 + 9s));
  // The second insert did not extend the first expiry.
  EXPECT_FALSE(set.contains("7/a", t0 + 10s));
  EXPECT_EQ(set.insert("7/a", t0 + 30s, t0 + 10s), Insert::kInserted);
  EXPECT_EQ(set.size(t0 + 10s), 1u);
}

TEST(ExpiringSet, KeysAlreadyExpiredAreNotKept) {
  ExpiringSet set(10, ExpiringSet::Full::kRefuse);
  const auto t0 = Clock::time_point{} + 1000s;
  EXPECT_EQ(set.insert("k", t0, t0), Insert::kInserted);
  EXPECT_EQ(set.size(t0), 0u);
}

TEST(ExpiringSet, EvictPolicyForgetsTheKeyThatExpiresFirst) {
  ExpiringSet set(2, ExpiringSet::Full::kEvictOldest);
  const auto t0 = Clock::time_point{} + 1000s;
  set.insert("late", t0 + 100s, t0);
  set.insert("early", t0 + 10s, t0);
  EXPECT_EQ(set.insert("new", t0 + 50s, t0), Insert::kInserted);
  EXPECT_FALSE(set.contains("early", t0));
  EXPECT_TRUE(set.contains("late", t0));
  EXPECT_TRUE(set.contains("new", t0));
  EXPECT_EQ(set.size(t0), 2u);
}

TEST(ExpiringSet, RefusePolicyAdmitsAgainAfterEraseOrExpiry) {
  ExpiringSet set(2, ExpiringSet::Full::kRefuse);
  const auto t0 = Clock::time_point{} + 1000s;
  set.insert("a", t0 + 10s, t0);
  set.insert("b", t0 + 100s, t0);
  EXPECT_EQ(set.insert("c", t0 + 100s, t0), Insert::kFull);
  EXPECT_TRUE(set.erase("b"));
  EXPECT_FALSE(set.erase("b"));
  EXPECT_EQ(set.insert("c", t0 + 100s, t0), Insert::kInserted);
  EXPECT_EQ(set.insert("d", t0 + 100s, t0 + 1s), Insert::kFull);
  // "a" expires at t0 + 10s and frees its place.
  EXPECT_EQ(set.insert("d", t0 + 100s, t0 + 10s), Insert::kInserted);
}

TEST(ExpiringSet, ZeroCapacity) {
  const auto t0 = Clock::time_point{} + 1000s;
  ExpiringSet refuse(0, ExpiringSet::Full::kRefuse);
  EXPECT_EQ(refuse.insert("a", t0 + 1s, t0), Insert::kFull);
  ExpiringSet evict(0, ExpiringSet::Full::kEvictOldest);
  EXPECT_EQ(evict.insert("a", t0 + 1s, t0), Insert::kInserted);
  EXPECT_EQ(evict.insert("a", t0 + 1s, t0), Insert::kInserted);  // remembers nothing
}

}  // namespace
}  // namespace rmb::gateway
