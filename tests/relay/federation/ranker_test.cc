#include "relay/federation/ranker.h"

#include <gtest/gtest.h>

#include <map>

namespace rmb::relay {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + 100000s;
  Ranker::Clock fn() {
    return [this] { return now; };
  }
};

TEST(Ranker, OrdersByFailureCountAscending) {
  FakeClock clock;
  Ranker ranker(3600s, clock.fn());
  ranker.downvote("b");
  ranker.downvote("b");
  ranker.downvote("c");
  auto order = ranker.reorder({"a", "b", "c"});
  EXPECT_EQ(order, (std::vector<std::string>{"a", "c", "b"}));
}

TEST(Ranker, RateIsFailuresPerHourOfPeriod) {
  FakeClock clock;
  Ranker hourly(3600s, clock.fn());
  hourly.downvote("x");
  hourly.downvote("x");
  EXPECT_DOUBLE_EQ(hourly.failure_rate("x"), 2.0);
  Ranker half(1800s, clock.fn());
  half.downvote("x");
  EXPECT_DOUBLE_EQ(half.failure_rate("x"), 2.0);  // 1 / 0.5 h
  EXPECT_DOUBLE_EQ(half.failure_rate("never"), 0.0);
}

TEST(Ranker, PrunesDownvotesOlderThanThePeriod) {
  FakeClock clock;
  Ranker ranker(60s, clock.fn());
  ranker.downvote("a");
  clock.now += 30s;
  ranker.downvote("a");
  EXPECT_EQ(ranker.reorder({"a", "b"}).back(), "a");
  clock.now += 31s;  // the first downvote is 61 s old now
  EXPECT_DOUBLE_EQ(ranker.failure_rate("a"), 1.0 * 3600 / 60);
  clock.now += 30s;  // and the second too
  EXPECT_DOUBLE_EQ(ranker.failure_rate("a"), 0.0);
}

TEST(Ranker, TiesComeInEveryOrder) {
  Ranker ranker;
  ranker.downvote("z");
  std::map<std::vector<std::string>, int> seen;
  for (int i = 0; i < 400; ++i) {
    auto order = ranker.reorder({"a", "b", "c", "z"});
    ASSERT_EQ(order.size(), 4u);
    EXPECT_EQ(order.back(), "z");  // the downvoted one stays last
    seen[order]++;
  }
  // 3! = 6 tie orders; with 400 draws every one shows up (miss chance ~ 6 * (5/6)^400).
  EXPECT_EQ(seen.size(), 6u);
}

TEST(Ranker, EmptyAndSingle) {
  Ranker ranker;
  EXPECT_TRUE(ranker.reorder({}).empty());
  EXPECT_EQ(ranker.reorder({"only"}), std::vector<std::string>{"only"});
}

}  // namespace
}  // namespace rmb::relay
