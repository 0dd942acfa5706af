// main's wiring of the other backends: --redis (mail survives a relay restart) and
// federation between two relay processes over HTTP.
#include <chrono>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/relay/relay_fixture.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::relay {
namespace {

using RelayRedis = RelayTest;

TEST_F(RelayRedis, MailSurvivesRelayRestart) {
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  const std::string url = (*redis)->url();

  start_relay({"--redis", url});
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto sent = a->send(a->request_to(2, std::nullopt, "mail", "kept in redis"));
  ASSERT_TRUE(sent.ok());
  sync(*a);
  a.reset();
  ASSERT_EQ(relay_->terminate(), 0);

  start_relay({"--redis", url});
  auto b = connect(2);
  ASSERT_TRUE(b);
  auto got = b->receive_raw(std::chrono::seconds(10));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, *sent);
  // And live routing works on the Redis-backed relay.
  auto a2 = connect(1);
  ASSERT_TRUE(a2);
  expect_round_trip(*a2, *b);
}

// Two relays: twin 1 lives on relay A, twins 2 and 3 on relay B. Domains are
// "127.0.0.1:<port>" and federation uses http, so both run on this machine.
class RelayFederation : public RelayTest {
 protected:
  void SetUp() override {
    RelayTest::SetUp();
    port_a_ = test::free_port();
    port_b_ = test::free_port();  // never port_a_: free_port does not repeat itself
    domain_a_ = absl::StrCat("127.0.0.1:", port_a_);
    domain_b_ = absl::StrCat("127.0.0.1:", port_b_);
    twins_[0].relays = {domain_a_};
    twins_[1].relays = {domain_b_};
    twins_[2].relays = {domain_b_};
    ASSERT_TRUE(test::write_directory(directory_path_, twins_).ok());
    auto common = [&](const std::string& domain) {
      return std::vector<std::string>{"--directory", directory_path_,       "--domain", domain, "--threads",
                                      "2",           "--federation-scheme", "http"};
    };
    auto a = test::RelayProcess::start_on(port_a_, common(domain_a_));
    ASSERT_TRUE(a.ok()) << a.status();
    relay_a_ = std::move(*a);
    auto b = test::RelayProcess::start_on(port_b_, common(domain_b_));
    ASSERT_TRUE(b.ok()) << b.status();
    relay_b_ = std::move(*b);
  }
  double metric_of(uint16_t port, const std::string& sample) {
    auto res = test::http_get(port, "/metrics");
    return test::prometheus_sample(res.body, sample);
  }

  uint16_t port_a_ = 0, port_b_ = 0;
  std::string domain_a_, domain_b_;
  std::unique_ptr<test::RelayProcess> relay_a_, relay_b_;
};

TEST_F(RelayFederation, RequestAndResponseCrossRelays) {
  auto one = test::WsClient::connect(port_a_, twin(1));
  auto two = test::WsClient::connect(port_b_, twin(2));
  ASSERT_TRUE(one.ok() && two.ok());
  auto request = (*one)->request_to(2, std::nullopt, "remote", "across");
  auto sent = (*one)->send(request);
  ASSERT_TRUE(sent.ok());
  auto got = (*two)->receive_raw(std::chrono::seconds(15));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, *sent);
  auto reply = (*two)->send((*two)->response_to(request, "back"));
  ASSERT_TRUE(reply.ok());
  auto back = (*one)->receive_raw(std::chrono::seconds(15));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *reply);
  // A counts the success when B's 202 comes back, which need not be before the reply
  // (posted by B on its own) reaches one: wait for it, bounded.
  const std::string success = absl::StrCat("federation_message_success{relay=\"", domain_b_, "\"}");
  EXPECT_EQ(test::poll_until([&] { return metric_of(port_a_, success); }, [](double n) { return n >= 1; },
                             std::chrono::seconds(20)),
            1);
}

TEST_F(RelayFederation, RemoteFailFastOfflineComesBackAsError) {
  auto one = test::WsClient::connect(port_a_, twin(1));
  ASSERT_TRUE(one.ok());
  auto request = (*one)->request_to(3, std::nullopt, "remote", "nobody home");
  request.set_tags("fail-fast");
  ASSERT_TRUE((*one)->send(request).ok());
  auto error = (*one)->receive(std::chrono::seconds(15));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_EQ(error->uid(), request.uid());
  ASSERT_TRUE(error->has_error());
  EXPECT_EQ(error->error().message(), "remote relay rejected permanently: destination offline");
  EXPECT_FALSE(error->has_source());
  EXPECT_FALSE(error->has_destination());  // §5.5: federation failures leave it unset
}

}  // namespace
}  // namespace rmb::relay
