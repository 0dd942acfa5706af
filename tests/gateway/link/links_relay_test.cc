// RelayLinks against real rmb-relay processes: envelopes both ways, failover when a relay
// dies mid-stream, reconnect when it comes back, held frames when none is up.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "tests/gateway/link/links_fixture.h"
#include "tests/gateway/link/relay_helpers.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/ws_client.h"

namespace rmb::gateway::link {
namespace {

using namespace std::chrono_literals;

class RelayLinksTest : public LinksTest {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("rmb-links-test");
    flags_ = relay_flags(dir_, twins_);
  }
  std::unique_ptr<test::RelayProcess> start_relay(uint16_t port = 0) {
    auto relay = port == 0 ? test::RelayProcess::start(flags_) : test::RelayProcess::start_on(port, flags_);
    EXPECT_TRUE(relay.ok()) << relay.status();
    return relay.ok() ? std::move(*relay) : nullptr;
  }
  static std::string url(const test::RelayProcess& relay) { return absl::StrCat("ws://127.0.0.1:", relay.port()); }
  std::unique_ptr<test::WsClient> twin2_on(const test::RelayProcess& relay) {
    auto client = test::WsClient::connect(relay.port(), twins_.at(1));
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }
  // Sends `bytes` and waits for its completion.
  absl::Status send_and_wait(const std::string& bytes, std::chrono::milliseconds deadline = 20s) {
    SendResult result;
    links_->send(frame(bytes), in(deadline), result.callback());
    return result.wait().value_or(absl::DeadlineExceededError("done was not called"));
  }

  std::string dir_;
  std::vector<std::string> flags_;
};

TEST_F(RelayLinksTest, EnvelopesFlowBothWaysThroughARealRelay) {
  auto relay = start_relay();
  ASSERT_TRUE(relay);
  auto twin2 = twin2_on(*relay);
  ASSERT_TRUE(twin2);
  start(options({url(*relay)}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); })) << link_status(0).last_error;

  // Out: byte-identical at the other twin.
  const std::string out = serialize(signed_request(me(), 2, "hello from the links"));
  ASSERT_TRUE(send_and_wait(out).ok());
  auto got = twin2->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, out);

  // In: what twin 2 sends to twin 1 reaches the frame handler as is.
  auto sent = twin2->send(twin2->request_to(me().id, std::nullopt, "test.back", "hello links"));
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto in_frame = sink_.pop();
  ASSERT_TRUE(in_frame.has_value());
  EXPECT_EQ(*in_frame, *sent);

  // Many in a row keep their order on one link.
  std::vector<std::string> burst;
  std::vector<SendResult> results(100);
  for (int i = 0; i < 100; ++i) {
    burst.push_back(serialize(signed_request(me(), 2, absl::StrCat("burst ", i))));
    links_->send(frame(burst.back()), in(20s), results[i].callback());
  }
  for (auto& r : results) ASSERT_TRUE(r.wait().value_or(absl::UnknownError("timeout")).ok());
  for (const auto& expected : burst) {
    auto next = twin2->receive_raw();
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(*next, expected);
  }
}

TEST_F(RelayLinksTest, FailsOverWhenARelayDiesAndRedialsWhenItReturns) {
  auto a = start_relay();
  auto b = start_relay();
  ASSERT_TRUE(a && b);
  const uint16_t b_port = b->port();
  auto twin2_a = twin2_on(*a);
  auto twin2_b = twin2_on(*b);
  ASSERT_TRUE(twin2_a && twin2_b);
  // b first: the links start with it, so the kill hits the link in use.
  start(options({url(*b), url(*a)}));
  ASSERT_TRUE(eventually([&] { return link_connected(0) && link_connected(1); }));
  constexpr size_t kB = 0, kA = 1;

  // A stream of sends; relay b is killed (SIGKILL, no close frame) part way through, once
  // it has delivered at least one frame (a loaded machine may not have run it at all in the
  // time the first 50 sends take).
  std::vector<SendResult> results(150);
  size_t via_b = 0;
  for (int i = 0; i < 150; ++i) {
    if (i == 50) {
      ASSERT_TRUE(twin2_b->receive_raw(20s).ok());
      ++via_b;
      ASSERT_TRUE(b->process().stop(SIGKILL).has_value());
    }
    links_->send(frame(serialize(signed_request(me(), 2, absl::StrCat("stream ", i)))), in(20s), results[i].callback());
    std::this_thread::sleep_for(2ms);
  }
  for (int i = 0; i < 150; ++i) {
    auto status = results[i].wait();
    ASSERT_TRUE(status.has_value()) << i;
    EXPECT_TRUE(status->ok()) << i << ": " << *status;
    EXPECT_EQ(results[i].calls(), 1);
  }
  ASSERT_TRUE(eventually([&] { return !link_connected(kB); }));
  EXPECT_TRUE(link_connected(kA));
  EXPECT_FALSE(link_status(kB).last_error.empty());
  // Some of the first 50 went through b before it died.
  while (twin2_b->receive_raw(2s).ok()) ++via_b;
  EXPECT_GT(via_b, 0u);

  // With b known down, everything goes through a and arrives there.
  std::set<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    const std::string bytes = serialize(signed_request(me(), 2, absl::StrCat("after ", i)));
    expected.insert(bytes);
    ASSERT_TRUE(send_and_wait(bytes).ok());
  }
  std::set<std::string> seen;
  while (seen.size() < expected.size()) {
    auto got = twin2_a->receive_raw();
    ASSERT_TRUE(got.ok()) << got.status() << " after " << seen.size() << " frames";
    if (expected.count(*got)) seen.insert(*got);
  }

  // b comes back on the same port: the link finds it by itself.
  auto b_again = start_relay(b_port);
  ASSERT_TRUE(b_again);
  ASSERT_TRUE(eventually([&] { return link_connected(kB); }, 30s)) << link_status(kB).last_error;
  auto status = link_status(kB);
  EXPECT_GE(status.reconnects, 1u);
  EXPECT_NE(status.connected_since, 0u);
  EXPECT_EQ(status.last_error, "");
  EXPECT_EQ(link_status(kA).reconnects, 0u);
}

TEST_F(RelayLinksTest, NoRelayMeansUnavailableAtTheDeadlineThenDeliveryOnceOneIsUp) {
  const uint16_t port = test::free_port();
  const std::string relay_url = absl::StrCat("ws://127.0.0.1:", port);
  start(options({relay_url}));

  SendResult doomed;
  const auto deadline = in(1500ms);
  links_->send(frame(serialize(signed_request(me(), 2, "doomed"))), deadline, doomed.callback());
  auto status = doomed.wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status->message(), absl::StrCat("no relay link is connected (tried: ", relay_url, ")"));
  EXPECT_GE(doomed.completed_at(), deadline);

  // A frame with time left waits for the relay instead of failing.
  SendResult patient;
  const std::string bytes = serialize(signed_request(me(), 2, "patient"));
  links_->send(frame(bytes), in(30s), patient.callback());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(patient.calls(), 0);
  auto relay = start_relay(port);
  ASSERT_TRUE(relay);
  auto result = patient.wait(30s);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok()) << *result;
  // Twin 2 was offline: the relay kept the mail.
  auto twin2 = twin2_on(*relay);
  ASSERT_TRUE(twin2);
  auto got = twin2->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, bytes);
}

TEST_F(RelayLinksTest, RefusedUpgradeIsReportedAndRetried) {
  // A relay that does not know our twin refuses the token (§4.3): 401 "twin not found 1".
  const std::string dir = test::make_temp_dir("rmb-links-stranger");
  std::vector<test::TestTwin> others = test::make_twins(1, 9);
  auto relay = test::RelayProcess::start(relay_flags(dir, others));
  ASSERT_TRUE(relay.ok()) << relay.status();
  start(options({url(**relay)}));
  ASSERT_TRUE(eventually([&] { return link_status(0).last_error.find("401") != std::string::npos; }))
      << link_status(0).last_error;
  EXPECT_NE(link_status(0).last_error.find("twin not found 1"), std::string::npos) << link_status(0).last_error;
  EXPECT_FALSE(links_->any_connected());
}

}  // namespace
}  // namespace rmb::gateway::link

namespace rmb::gateway::link {
namespace {

// Not a speed check: prints how fast frames go through one link and a relay to a
// reading twin, and asserts only that all of them arrive, in order.
TEST_F(RelayLinksTest, ThroughputIsPrinted) {
  auto relay = start_relay();
  ASSERT_TRUE(relay);
  auto twin2 = twin2_on(*relay);
  ASSERT_TRUE(twin2);
  start(options({url(*relay)}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); }));
  constexpr int kFrames = 5000;  // below the relay's mailbox size: nothing may be dropped
  std::vector<std::shared_ptr<const std::string>> frames;
  for (int i = 0; i < kFrames; ++i) {
    frames.push_back(frame(serialize(signed_request(me(), 2, absl::StrCat(i, std::string(900, 'p'))))));
  }
  std::atomic<int> ok{0}, failed{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::thread receiver([&] {
    for (int i = 0; i < kFrames; ++i) {
      auto got = twin2->receive_raw(20s);
      ASSERT_TRUE(got.ok()) << i << ": " << got.status();
      ASSERT_EQ(*got, *frames[i]) << i;
    }
  });
  for (int i = 0; i < kFrames; ++i) {
    // A bounded window, as the engine would keep: the links' queues are bounded too.
    while (i - ok.load() - failed.load() > 512) std::this_thread::yield();
    links_->send(frames[i], in(60s), [&](absl::Status s) { (s.ok() ? ok : failed).fetch_add(1); });
  }
  receiver.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(failed.load(), 0);
  std::printf("links throughput: %d frames of %zu bytes through one relay in %.2f s = %.0f frames/s\n", kFrames,
              frames[0]->size(), secs, kFrames / secs);
}

}  // namespace
}  // namespace rmb::gateway::link
