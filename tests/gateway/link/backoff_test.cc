#include "gateway/link/backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace rmb::gateway::link {
namespace {

using Millis = std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyWithinBounds) {
  Backoff backoff(Millis(500), Millis(30000), 1);
  // Ceilings 1000, 2000, 4000, 8000, 16000, 30000, 30000...; each delay in [c/2, c].
  const int64_t ceilings[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (int64_t c : ceilings) {
    const auto d = backoff.next().count();
    EXPECT_GE(d, std::max<int64_t>(500, c / 2)) << "ceiling " << c;
    EXPECT_LE(d, c) << "ceiling " << c;
  }
}

TEST(Backoff, ResetStartsAgainFromMin) {
  Backoff backoff(Millis(100), Millis(10000), 2);
  for (int i = 0; i < 10; ++i) backoff.next();
  EXPECT_GE(backoff.next().count(), 5000);
  backoff.reset();
  const auto d = backoff.next().count();
  EXPECT_GE(d, 100);
  EXPECT_LE(d, 200);
}

TEST(Backoff, JitterSpreadsPeersApart) {
  // Peers with different seeds pick different delays for the same attempt.
  std::set<int64_t> first_delays;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Backoff backoff(Millis(500), Millis(30000), seed);
    backoff.next();
    backoff.next();
    first_delays.insert(backoff.next().count());  // in [2000, 4000]
  }
  EXPECT_GT(first_delays.size(), 20u);
}

TEST(Backoff, DegenerateBoundsStayUsable) {
  Backoff zero(Millis(0), Millis(0), 3);
  EXPECT_EQ(zero.next().count(), 1);  // never a busy loop
  Backoff inverted(Millis(1000), Millis(10), 4);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(inverted.next().count(), 1000);
  Backoff fixed(Millis(250), Millis(250), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(fixed.next().count(), 250);
}

}  // namespace
}  // namespace rmb::gateway::link
