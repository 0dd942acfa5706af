#include "tests/relay/relay_fixture.h"

#include <thread>

#include <sstream>

#include "core/util/clock.h"
#include "tests/support/poll.h"
#include "tests/support/temp_dir.h"

namespace rmb::relay {

void RelayTest::SetUp() {
  dir_ = test::make_temp_dir("rmb-relay-test");
  directory_path_ = dir_ + "/twins.json";
  twins_ = test::make_twins(6, 1, {"relay.test"});
  auto no_relay = test::make_twins(1, kNoRelayTwin, {});
  auto foreign = test::make_twins(1, kForeignTwin, {"other.example"});
  others_.push_back(std::move(no_relay[0]));
  others_.push_back(std::move(foreign[0]));
  std::vector<core::Twin> extra;
  for (const auto& t : others_) extra.push_back(t.directory_entry());
  ASSERT_TRUE(test::write_directory(directory_path_, twins_, extra).ok());
}

void RelayTest::start_relay(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--directory", directory_path_, "--domain", "relay.test", "--threads", "2"};
  // Federation off by default: the foreign twin then gets the "no federator" error.
  bool federation_flag = false;
  for (const auto& a : extra) federation_flag |= a.rfind("--federation", 0) == 0;
  if (!federation_flag) args.push_back("--no-federation");
  args.insert(args.end(), extra.begin(), extra.end());
  auto relay = test::RelayProcess::start(args);
  ASSERT_TRUE(relay.ok()) << relay.status();
  relay_ = std::move(*relay);
}

std::unique_ptr<test::WsClient> RelayTest::connect(uint32_t id, std::optional<std::string> sid) {
  auto client = test::WsClient::connect(port(), twin(id), std::move(sid));
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(*client) : nullptr;
}

void RelayTest::expect_round_trip(test::WsClient& from, test::WsClient& to) {
  auto request = from.request_to(to.twin(), to.sid(), "test.echo", "ping " + test::random_uid());
  auto sent = from.send(request);
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto got = to.receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, *sent);
  rmb::Envelope received;
  ASSERT_TRUE(received.ParseFromString(*got));
  auto reply_sent = to.send(to.response_to(received, "pong"));
  ASSERT_TRUE(reply_sent.ok()) << reply_sent.status();
  auto reply = from.receive_raw();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, *reply_sent);
}

void RelayTest::expect_bystanders_served() {
  if (!bystander_a_) {
    bystander_a_ = connect(5);
    bystander_b_ = connect(6);
    ASSERT_TRUE(bystander_a_ && bystander_b_);
  }
  expect_round_trip(*bystander_a_, *bystander_b_);
}

void RelayTest::expect_error(test::WsClient& client, const std::string& uid, const std::string& text) {
  auto env = client.receive();
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->uid(), uid);
  ASSERT_TRUE(env->has_error()) << env->DebugString();
  EXPECT_EQ(env->error().code(), 0u);
  EXPECT_EQ(env->error().message(), text);
  EXPECT_EQ(env->expiration(), 300u);
  EXPECT_NE(env->timestamp(), 0u);
  EXPECT_FALSE(env->has_source());
  EXPECT_EQ(env->destination().twin(), client.twin());
  EXPECT_EQ(env->destination().has_connection(), client.sid().has_value());
  if (client.sid()) {
    EXPECT_EQ(env->destination().connection(), *client.sid());
  }
  EXPECT_FALSE(env->has_signature());
}

void RelayTest::sync(test::WsClient& client) {
  rmb::Envelope ping;
  ping.set_uid(test::random_uid());
  ping.set_timestamp(core::unix_now());
  ping.set_expiration(40);
  ping.mutable_source()->set_twin(client.twin());
  if (client.sid()) ping.mutable_source()->set_connection(*client.sid());
  ping.mutable_ping();
  ASSERT_TRUE(client.send(ping, false).ok());
  auto pong = client.receive();
  ASSERT_TRUE(pong.ok()) << pong.status();
  ASSERT_TRUE(pong->has_pong());
  ASSERT_EQ(pong->uid(), ping.uid());
}

double RelayTest::wait_for_metric(const std::string& sample, const std::function<bool(double)>& done,
                                  std::chrono::milliseconds timeout) {
  return test::poll_until([&] { return metric(sample); }, done, timeout, std::chrono::milliseconds(50));
}

double RelayTest::metric(const std::string& sample) {
  auto res = test::http_get(port(), "/metrics");
  EXPECT_EQ(res.status, 200u);
  return test::prometheus_sample(res.body, sample);
}

}  // namespace rmb::relay
