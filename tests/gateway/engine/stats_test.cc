#include "gateway/engine/stats.h"

#include <gtest/gtest.h>

#include <set>

#include "gateway/engine/uid.h"

namespace rmb::gateway {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, ObservationsLandInTheirBucket) {
  LatencyHistogram h;
  h.observe(500us);  // <= 1 ms
  h.observe(1ms);    // <= 1 ms (bounds are inclusive)
  h.observe(7ms);    // <= 10 ms
  h.observe(2min);   // +Inf
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(3), 1u);
  EXPECT_EQ(h.bucket(LatencyHistogram::kBoundsMs.size()), 1u);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_NEAR(h.sum_seconds(), 120.0085, 1e-6);
}

TEST(EngineStats, ErrorsAreCountedByCode) {
  EngineStats s;
  s.count_error(103);
  s.count_error(103);
  s.count_error(0);
  s.count_error(4242);
  EXPECT_EQ(s.errors_by_code[4].load(), 2u);  // kErrorCodes[4] == 103
  EXPECT_EQ(s.errors_by_code[0].load(), 1u);
  EXPECT_EQ(s.errors_by_code[EngineStats::kErrorCodes.size()].load(), 1u);
}

TEST(NewUid, IsAVersion4Uuid) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string uid = new_uid();
    ASSERT_EQ(uid.size(), 36u);
    EXPECT_EQ(uid[8], '-');
    EXPECT_EQ(uid[13], '-');
    EXPECT_EQ(uid[14], '4');
    EXPECT_NE(std::string("89ab").find(uid[19]), std::string::npos);
    for (char c : uid) EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    seen.insert(uid);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace rmb::gateway
