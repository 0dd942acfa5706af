// The real rmb-relay binary with a real redis-server and real federation over loopback:
//  (a) with --redis, mail for an offline twin survives a relay restart;
//  (b) two rmb-relay processes sharing one Redis act as one relay;
//  (c) two relays on different ports federate (domains "127.0.0.1:PORT" and
//      --federation-scheme http, a test/dev setting), including a relay that is down
//      (skipped; error envelope after expiry) and a 4xx (fail-fast to an offline twin).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <thread>

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

// rmb-relay on `port`, 0 for one the kernel picks (read back with port()); federation
// needs the port in --domain before the relay starts, so those tests pick it (free_port).
std::unique_ptr<test::RelayProcess> start_relay(uint16_t port, std::vector<std::string> args) {
  args.insert(args.begin(), {"--threads", "2"});
  auto relay = test::RelayProcess::start_on(port, args);
  EXPECT_TRUE(relay.ok()) << relay.status();
  return relay.ok() ? std::move(*relay) : nullptr;
}

double metric(uint16_t port, const std::string& sample) {
  auto res = test::http_get(port, "/metrics");
  return test::prometheus_sample(res.body, sample);
}

// The counter moves when the 202 reaches the sender's relay, which can be a moment after
// the receiver already has the message: wait for it (bounded; generous for a loaded
// machine, success returns at once).
double metric_at_least(uint16_t port, const std::string& sample, double want) {
  return test::poll_until([&] { return metric(port, sample); }, [&](double v) { return v >= want; }, 20s);
}

std::unique_ptr<test::WsClient> connect(uint16_t port, const test::TestTwin& twin) {
  auto c = test::WsClient::connect(port, twin);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

void expect_error(test::WsClient& client, const std::string& uid, const std::string& text,
                  std::chrono::milliseconds timeout = 20000ms) {
  auto env = client.receive(timeout);
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->uid(), uid);
  ASSERT_TRUE(env->has_error()) << env->DebugString();
  EXPECT_EQ(env->error().message(), text);
  EXPECT_FALSE(env->has_source());
}

class RedisRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("relayfed-e2e");
    twins_ = test::make_twins(3, 1, {"relay.test"});
    ASSERT_TRUE(test::write_directory(dir_ + "/twins.json", twins_).ok());
  }
  std::vector<std::string> flags() {
    return {"--directory", dir_ + "/twins.json", "--domain", "relay.test", "--redis", redis_->url(), "--no-federation"};
  }
  long long xlen(const std::string& key) {
    auto conn = core::RedisConn::connect(*core::parse_redis_url(redis_->url()), 2000ms);
    auto r = (*conn)->command({"XLEN", key});
    return (*r)->integer;
  }

  std::unique_ptr<test::RedisServer> redis_ = test::RedisServer::start().value();
  std::string dir_;
  std::vector<test::TestTwin> twins_;
};

TEST_F(RedisRelayTest, MailSurvivesARelayRestart) {
  auto relay = start_relay(0, flags());
  ASSERT_TRUE(relay);
  const uint16_t port = relay->port();
  auto sender = connect(port, twins_[0]);
  ASSERT_TRUE(sender);
  std::vector<std::string> sent;
  for (int i = 0; i < 3; ++i) {
    auto bytes = sender->send(sender->request_to(2, std::nullopt, "test.cmd", "offline " + std::to_string(i)));
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    sent.push_back(*bytes);
  }
  // Stored in the rmb-rs layout before the relay goes away.
  // (The relay stores and deletes asynchronously.)
  ASSERT_EQ(test::poll_until([&] { return xlen("stream:2"); }, [](long long n) { return n >= 3; }, 20s), 3);
  sender.reset();
  ASSERT_EQ(relay->terminate(), 0);

  auto again = start_relay(port, flags());
  ASSERT_TRUE(again);
  auto receiver = connect(port, twins_[1]);
  ASSERT_TRUE(receiver);
  for (const auto& expected : sent) {
    auto got = receiver->receive_raw();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, expected);  // byte-identical, in order
  }
  EXPECT_EQ(test::poll_until([&] { return xlen("stream:2"); }, [](long long n) { return n == 0; }, 20s), 0);
}

TEST_F(RedisRelayTest, TwoRelayProcessesSharingRedisActAsOne) {
  auto a = start_relay(0, flags());
  auto b = start_relay(0, flags());
  ASSERT_TRUE(a && b);
  const uint16_t port_a = a->port(), port_b = b->port();
  auto on_a = connect(port_a, twins_[1]);  // twin 2 at A
  auto on_b = connect(port_b, twins_[0]);  // twin 1 at B
  ASSERT_TRUE(on_a && on_b);
  for (int i = 0; i < 5; ++i) {
    auto request = on_b->request_to(2, std::nullopt, "test.echo", "hello " + std::to_string(i));
    auto sent = on_b->send(request);
    ASSERT_TRUE(sent.ok()) << sent.status();
    auto got = on_a->receive_raw();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, *sent);
    rmb::Envelope received;
    ASSERT_TRUE(received.ParseFromString(*got));
    auto reply = on_a->send(on_a->response_to(received, "pong"));
    ASSERT_TRUE(reply.ok());
    auto back = on_b->receive_raw();
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, *reply);
  }
}

class FederationE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("relayfed-fed");
    port_a_ = test::free_port();
    port_b_ = test::free_port();
    port_down_ = test::closed_port();  // nothing listens there
    domain_a_ = "127.0.0.1:" + std::to_string(port_a_);
    domain_b_ = "127.0.0.1:" + std::to_string(port_b_);
    domain_down_ = "127.0.0.1:" + std::to_string(port_down_);
    twins_ = test::make_twins(5, 1);
    twins_[0].relays = {domain_a_};                // 1: at A
    twins_[1].relays = {domain_b_};                // 2: at B
    twins_[2].relays = {domain_down_, domain_b_};  // 3: two relays, one down
    twins_[3].relays = {domain_down_};             // 4: only a relay that is down
    twins_[4].relays = {domain_b_};                // 5: at B, never connected
    ASSERT_TRUE(test::write_directory(dir_ + "/twins.json", twins_).ok());
  }
  std::vector<std::string> flags(const std::string& domain) {
    return {"--directory", dir_ + "/twins.json", "--domain", domain, "--federation-scheme", "http"};
  }

  std::string dir_;
  uint16_t port_a_ = 0, port_b_ = 0, port_down_ = 0;
  std::string domain_a_, domain_b_, domain_down_;
  std::vector<test::TestTwin> twins_;
};

TEST_F(FederationE2eTest, TwoRelaysFederate) {
  auto a = start_relay(port_a_, flags(domain_a_));
  auto b = start_relay(port_b_, flags(domain_b_));
  ASSERT_TRUE(a && b);
  auto t1 = connect(port_a_, twins_[0]);
  auto t2 = connect(port_b_, twins_[1]);
  auto t3 = connect(port_b_, twins_[2]);
  ASSERT_TRUE(t1 && t2 && t3);

  // 1 at A -> 2 at B and back again, byte-identical both ways.
  auto sent = t1->send(t1->request_to(2, std::nullopt, "test.echo", "over federation"));
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto got = t2->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, *sent);
  rmb::Envelope request;
  ASSERT_TRUE(request.ParseFromString(*got));
  auto reply = t2->send(t2->response_to(request, "pong"));
  ASSERT_TRUE(reply.ok());
  auto back = t1->receive_raw();
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *reply);

  // 1 -> 3, whose relays are {down, B}: the dead one is skipped (downvoted).
  for (int i = 0; i < 3; ++i) {
    auto to3 = t1->send(t1->request_to(3, std::nullopt, "test.echo", "skip the dead relay"));
    ASSERT_TRUE(to3.ok());
    auto at3 = t3->receive_raw(10000ms);
    ASSERT_TRUE(at3.ok()) << at3.status();
    EXPECT_EQ(*at3, *to3);
  }
  EXPECT_GE(metric_at_least(port_a_, "federation_message_success{relay=\"" + domain_b_ + "\"}", 4.0), 4.0);
}

TEST_F(FederationE2eTest, RelayDownMeansAnErrorAfterExpiry) {
  auto a = start_relay(port_a_, flags(domain_a_));
  ASSERT_TRUE(a);
  auto t1 = connect(port_a_, twins_[0]);
  ASSERT_TRUE(t1);
  auto request = t1->request_to(4, std::nullopt, "test.echo", "nobody home");
  request.set_expiration(3);
  ASSERT_TRUE(t1->send(request).ok());
  expect_error(*t1, request.uid(), "message has expired", 20000ms);
  EXPECT_GE(metric(port_a_, "federation_message_error{relay=\"" + domain_down_ + "\"}"), 3.0);
}

TEST_F(FederationE2eTest, FourXxFromTheRemoteFailsFast) {
  auto a = start_relay(port_a_, flags(domain_a_));
  auto b = start_relay(port_b_, flags(domain_b_));
  ASSERT_TRUE(a && b);
  auto t1 = connect(port_a_, twins_[0]);
  ASSERT_TRUE(t1);
  // Twin 5 lives at B but is not connected; with fail-fast B answers 404.
  auto request = t1->request_to(5, std::nullopt, "test.echo", "are you there");
  request.set_tags("fail-fast");
  ASSERT_TRUE(t1->send(request).ok());
  expect_error(*t1, request.uid(), "remote relay rejected permanently: destination offline");
  EXPECT_EQ(metric(port_a_, "federation_message_success{relay=\"" + domain_b_ + "\"}"), 0.0);
}

}  // namespace
}  // namespace rmb::relay
