#include "gateway/engine/stats.h"

#include <gtest/gtest.h>

#include <set>

#include "gateway/engine/uid.h"

namespace rmb::gateway {
namespace {

using namespace std::chrono_literals;

TEST(EngineStats, LatencyLandsInItsBucketInSeconds) {
  EngineStats s(nullptr);
  const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
  s.latency.observe(seconds(500us));  // <= 1 ms
  s.latency.observe(seconds(1ms));    // <= 1 ms (bounds are inclusive)
  s.latency.observe(seconds(7ms));    // <= 10 ms
  s.latency.observe(seconds(2min));   // +Inf
  EXPECT_EQ(s.latency.bucket(0), 2u);
  EXPECT_EQ(s.latency.bucket(3), 1u);
  EXPECT_EQ(s.latency.bucket(s.latency.bounds().size()), 1u);
  EXPECT_EQ(s.latency.count(), 4u);
  EXPECT_NEAR(s.latency.sum(), 120.0085, 1e-6);
}

TEST(EngineStats, ErrorsAreCountedByCode) {
  EngineStats s(nullptr);
  s.count_error(103);
  s.count_error(103);
  s.count_error(0);
  s.count_error(4242);
  EXPECT_EQ(s.errors_by_code[4]->value(), 2u);  // kErrorCodes[4] == 103
  EXPECT_EQ(s.errors_by_code[0]->value(), 1u);
  EXPECT_EQ(s.errors_by_code[EngineStats::kErrorCodes.size()]->value(), 1u);
}

// The names, labels and types dashboards read (rmb-peer's /metrics), every error code shown
// from the start.
TEST(EngineStats, RegistersItsFamiliesInTheGivenRegistry) {
  core::metrics::Registry registry;
  EngineStats s(&registry);
  s.requests_out.inc();
  s.pending.set(3);
  s.count_error(4242);
  s.latency.observe(0.002);
  const std::string text = registry.render();
  EXPECT_NE(text.find("# TYPE rmb_peer_requests_out_total counter\nrmb_peer_requests_out_total 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE rmb_peer_pending_requests gauge\nrmb_peer_pending_requests 3\n"), std::string::npos);
  EXPECT_NE(text.find("rmb_peer_errors_total{code=\"0\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("rmb_peer_errors_total{code=\"500\"} 0\nrmb_peer_errors_total{code=\"other\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rmb_peer_request_duration_seconds_bucket{le=\"0.001\"} 0\n"
                      "rmb_peer_request_duration_seconds_bucket{le=\"0.0025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rmb_peer_request_duration_seconds_bucket{le=\"30\"} 1\n"
                      "rmb_peer_request_duration_seconds_bucket{le=\"+Inf\"} 1\n"
                      "rmb_peer_request_duration_seconds_sum 0.002\n"
                      "rmb_peer_request_duration_seconds_count 1\n"),
            std::string::npos);
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
