// The metrics endpoint: the answers shared with the relay's listener, and rmb-peer's server
// on a real socket.
#include "core/obs/metrics_http.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "tests/support/http_client.h"

namespace rmb::core::metrics {
namespace {

TEST(MetricsAnswer, MetricsAndHealthzOnlyAndTheQueryIsIgnored) {
  Registry r;
  r.counter("c_total", "c").inc();
  for (const char* target : {"/metrics", "/metrics?x=1"}) {
    auto a = metrics_answer(r, target);
    ASSERT_TRUE(a) << target;
    EXPECT_EQ(a->status, 200u);
    EXPECT_EQ(a->content_type, "text/plain; version=0.0.4");
    EXPECT_EQ(a->body, r.render());
  }
  auto health = metrics_answer(r, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "ok");
  EXPECT_EQ(health->content_type, "text/plain");
  for (const char* target : {"/", "/metrics/x", "/metricsx", "/nope"})
    EXPECT_FALSE(metrics_answer(r, target)) << target;
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    work_.reset();
    thread_.join();
  }
  uint16_t port() const {
    const std::string a = server_->address();
    return static_cast<uint16_t>(std::stoul(a.substr(a.rfind(':') + 1)));
  }

  Registry registry_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  std::shared_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, ServesTheRegistryAsItIsAtEachScrape) {
  auto& c = registry_.counter("rmb_peer_requests_out_total", "Requests sent");
  auto started = MetricsServer::start(io_, "127.0.0.1:0", registry_);
  ASSERT_TRUE(started.ok()) << started.status();
  server_ = *started;
  EXPECT_EQ(server_->address().rfind("127.0.0.1:", 0), 0u);

  auto page = test::http_get(port(), "/metrics");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(test::prometheus_sample(page.body, "rmb_peer_requests_out_total"), 0);
  c.inc(5);
  page = test::http_get(port(), "/metrics");
  EXPECT_EQ(page.body, registry_.render());
  EXPECT_EQ(test::prometheus_sample(page.body, "rmb_peer_requests_out_total"), 5);

  EXPECT_EQ(test::http_get(port(), "/healthz").body, "ok");
  auto missing = test::http_get(port(), "/nope");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.body, "not found; try GET /metrics\n");
  EXPECT_EQ(test::http_request(port(), "POST", "/metrics", "x").status, 404u);
}

TEST_F(MetricsServerTest, RefusesAnAddressItCannotUse) {
  for (const char* bad : {"nocolon", "example.com:9100", "127.0.0.1:99999", "127.0.0.1:x"}) {
    auto started = MetricsServer::start(io_, bad, registry_);
    EXPECT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace rmb::core::metrics
