// Issue 11, the relay's federation queue with --redis (PROTOCOL.md §6.1): envelopes for
// other relays wait in `relay.federation.stream` (group `federation`), so they survive a
// SIGKILL of the origin relay and any relay process on the same Redis delivers them. Real
// rmb-relay processes federating over loopback (domains "127.0.0.1:PORT", http).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "tests/support/http_client.h"
#include "tests/support/poll.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"
#include "tests/support/ws_client.h"

namespace rmb::relay {
namespace {

using namespace std::chrono_literals;

class FederationQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("relayfed-fedq");
    port_a_ = test::free_port();
    port_a2_ = test::free_port();
    port_b_ = test::free_port();
    domain_a_ = "127.0.0.1:" + std::to_string(port_a_);
    domain_b_ = "127.0.0.1:" + std::to_string(port_b_);
    twins_ = test::make_twins(3, 1);
    twins_[0].relays = {domain_a_};  // 1: at A (both A processes serve domain A)
    twins_[1].relays = {domain_b_};  // 2: at B
    twins_[2].relays = {"127.0.0.1:" + std::to_string(test::closed_port())};  // 3: a relay never up
    ASSERT_TRUE(test::write_directory(dir_ + "/twins.json", twins_).ok());
  }

  // An origin relay of domain A on `port`, its queue in the test's Redis.
  std::unique_ptr<test::RelayProcess> start_a(uint16_t port) {
    auto relay =
        test::RelayProcess::start_on(port, {"--threads", "2", "--directory", dir_ + "/twins.json", "--domain",
                                            domain_a_, "--redis", redis_->url(), "--federation-scheme", "http"});
    EXPECT_TRUE(relay.ok()) << relay.status();
    return relay.ok() ? std::move(*relay) : nullptr;
  }
  std::unique_ptr<test::RelayProcess> start_b() {
    auto relay = test::RelayProcess::start_on(port_b_, {"--threads", "2", "--directory", dir_ + "/twins.json",
                                                        "--domain", domain_b_, "--federation-scheme", "http"});
    EXPECT_TRUE(relay.ok()) << relay.status();
    return relay.ok() ? std::move(*relay) : nullptr;
  }

  core::RedisReply redis(const std::vector<std::string_view>& args) {
    auto conn = core::RedisConn::connect(*core::parse_redis_url(redis_->url()), 2000ms);
    EXPECT_TRUE(conn.ok()) << conn.status();
    auto r = (*conn)->command(args);
    EXPECT_TRUE(r.ok()) << r.status();
    return std::move(*r);
  }
  long long stream_len() {
    auto r = redis({"XLEN", "relay.federation.stream"});
    return r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
  }
  long long pending() {
    auto r = redis({"XPENDING", "relay.federation.stream", "federation"});
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->type != REDIS_REPLY_INTEGER) return -1;
    return r->element[0]->integer;
  }

  double metric(uint16_t port, const std::string& sample) {
    auto res = test::http_get(port, "/metrics");
    return test::prometheus_sample(res.body, sample);
  }

  // Twin 1 at `port` sends `n` requests to twin 2 (at B); returns the bytes sent.
  std::vector<std::string> send_to_b(uint16_t port, int n) {
    auto t1 = test::WsClient::connect(port, twins_[0]);
    EXPECT_TRUE(t1.ok()) << t1.status();
    std::vector<std::string> sent;
    if (!t1.ok()) return sent;
    for (int i = 0; i < n; ++i) {
      auto bytes = (*t1)->send((*t1)->request_to(2, std::nullopt, "test.echo", "queued " + std::to_string(i)));
      EXPECT_TRUE(bytes.ok()) << bytes.status();
      if (bytes.ok()) sent.push_back(*bytes);
    }
    // Queued in Redis (the rmb-rs layout) and tried at least once (B is down: pending).
    EXPECT_EQ(test::poll_until([&] { return pending(); }, [&](long long v) { return v >= n; }, 20s), n);
    return sent;
  }

  // Twin 2 connects to B and must receive every one of `sent` (any order across the
  // delivering processes; at-least-once, so repeats are skipped).
  void expect_delivered_at_b(const std::vector<std::string>& sent) {
    auto t2 = test::WsClient::connect(port_b_, twins_[1]);
    ASSERT_TRUE(t2.ok()) << t2.status();
    std::multiset<std::string> want(sent.begin(), sent.end());
    while (!want.empty()) {
      auto got = (*t2)->receive_raw(30000ms);
      ASSERT_TRUE(got.ok()) << got.status() << " with " << want.size() << " envelopes missing";
      auto it = want.find(*got);
      if (it != want.end()) want.erase(it);
    }
    // Acked and deleted (unlike rmb-rs, the stream does not keep delivered entries).
    EXPECT_EQ(test::poll_until([&] { return stream_len(); }, [](long long v) { return v == 0; }, 20s), 0);
  }

  std::unique_ptr<test::RedisServer> redis_ = test::RedisServer::start().value();
  std::string dir_;
  uint16_t port_a_ = 0, port_a2_ = 0, port_b_ = 0;
  std::string domain_a_, domain_b_;
  std::vector<test::TestTwin> twins_;
};

TEST_F(FederationQueueTest, QueuedEnvelopeSurvivesAKilledOriginRelay) {
  auto a = start_a(port_a_);
  ASSERT_TRUE(a);
  auto sent = send_to_b(port_a_, 3);
  ASSERT_EQ(sent.size(), 3u);
  a->process().stop(SIGKILL);

  // Same Redis, a new process (a new consumer): the dead one's pending entries are claimed.
  auto again = start_a(port_a_);
  ASSERT_TRUE(again);
  auto b = start_b();
  ASSERT_TRUE(b);
  expect_delivered_at_b(sent);
  EXPECT_GE(metric(port_a_, "relay_federation_claimed_total"), 3.0);
}

TEST_F(FederationQueueTest, AnotherRelayProcessOnTheSameRedisTakesOver) {
  auto a1 = start_a(port_a_);
  auto a2 = start_a(port_a2_);
  ASSERT_TRUE(a1 && a2);
  auto sent = send_to_b(port_a_, 5);
  ASSERT_EQ(sent.size(), 5u);
  a1->process().stop(SIGKILL);  // never restarted: A2 delivers what A1 queued

  auto b = start_b();
  ASSERT_TRUE(b);
  expect_delivered_at_b(sent);
  EXPECT_GE(
      test::poll_until([&] { return metric(port_a2_, "federation_message_success{relay=\"" + domain_b_ + "\"}"); },
                       [](double v) { return v >= 5; }, 20s),
      5.0);
}

TEST_F(FederationQueueTest, NoRelayAnsweringMeansAnErrorAfterExpiry) {
  auto a = start_a(port_a_);
  ASSERT_TRUE(a);
  auto t1 = test::WsClient::connect(port_a_, twins_[0]);
  ASSERT_TRUE(t1.ok()) << t1.status();
  auto request = (*t1)->request_to(3, std::nullopt, "test.echo", "nobody home");
  request.set_expiration(4);
  ASSERT_TRUE((*t1)->send(request).ok());
  auto env = (*t1)->receive(30000ms);
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->uid(), request.uid());
  ASSERT_TRUE(env->has_error()) << env->DebugString();
  EXPECT_EQ(env->error().message(), "message has expired");
  EXPECT_EQ(test::poll_until([&] { return stream_len(); }, [](long long v) { return v == 0; }, 20s), 0);
}

}  // namespace
}  // namespace rmb::relay
