// Every §5.5 error envelope of the WebSocket path, each produced by its cause.
#include <set>
#include <thread>

#include "core/util/clock.h"
#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

using RelayErrors = RelayTest;

TEST_F(RelayErrors, WrongSource) {
  start_relay();
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  auto spoofed = a->request_to(2, std::nullopt, "cmd", "x");
  spoofed.mutable_source()->set_twin(3);  // not the JWT's twin
  ASSERT_TRUE(a->send(spoofed).ok());
  expect_error(*a, spoofed.uid(), "message wrong source");
  auto wrong_sid = a->request_to(2, std::nullopt, "cmd", "x");
  wrong_sid.mutable_source()->set_connection("");  // "" is not "no session"
  ASSERT_TRUE(a->send(wrong_sid).ok());
  expect_error(*a, wrong_sid.uid(), "message wrong source");
  auto no_source = a->request_to(2, std::nullopt, "cmd", "x");
  no_source.clear_source();
  ASSERT_TRUE(a->send(no_source).ok());
  expect_error(*a, no_source.uid(), "message wrong source");
  // Nothing of it reached twin 2: its next message is a marker.
  auto marker = a->request_to(2, std::nullopt, "marker", "");
  ASSERT_TRUE(a->send(marker).ok());
  auto got = b->receive();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->uid(), marker.uid());
  EXPECT_GE(metric("relay_drops_total{reason=\"wrong_source\"}"), 3);
}

TEST_F(RelayErrors, ErrorsGoToTheSendersSession) {
  start_relay();
  auto a = connect(1, "mine");
  ASSERT_TRUE(a);
  auto request = a->request_to(0, std::nullopt, "cmd", "x");
  ASSERT_TRUE(a->send(request).ok());
  expect_error(*a, request.uid(), "message with missing destination");
}

TEST_F(RelayErrors, MissingDestinationUnknownTwinRelayNotSet) {
  start_relay();
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto missing = a->request_to(0, std::nullopt, "cmd", "");
  ASSERT_TRUE(a->send(missing).ok());
  expect_error(*a, missing.uid(), "message with missing destination");
  auto unknown = a->request_to(999, std::nullopt, "cmd", "");
  ASSERT_TRUE(a->send(unknown).ok());
  expect_error(*a, unknown.uid(), "unknown twin destination");
  auto no_relay = a->request_to(kNoRelayTwin, std::nullopt, "cmd", "");
  ASSERT_TRUE(a->send(no_relay).ok());
  expect_error(*a, no_relay.uid(), "relay info is not set for this twin");
}

TEST_F(RelayErrors, DestinationOfflineWithFailFast) {
  start_relay();
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto request = a->request_to(2, std::nullopt, "cmd", "");
  request.set_tags("x, fail-fast");
  ASSERT_TRUE(a->send(request).ok());
  expect_error(*a, request.uid(), "destination offline");
  // Without the tag the same message is kept for twin 2.
  request.clear_tags();
  request.set_uid(test::random_uid());
  auto kept = a->send(request);
  ASSERT_TRUE(kept.ok());
  sync(*a);
  auto b = connect(2);
  ASSERT_TRUE(b);
  auto got = b->receive_raw();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *kept);
  // And with the tag while twin 2 is connected it is delivered.
  request.set_tags("fail-fast");
  request.set_uid(test::random_uid());
  auto live = a->send(request);
  ASSERT_TRUE(live.ok());
  got = b->receive_raw();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *live);
}

TEST_F(RelayErrors, ForeignTwinWithoutFederator) {
  start_relay();
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto request = a->request_to(kForeignTwin, std::nullopt, "cmd", "");
  ASSERT_TRUE(a->send(request).ok());
  expect_error(*a, request.uid(), "federation is not configured on this relay");
  EXPECT_EQ(metric("relay_drops_total{reason=\"no_federator\"}"), 1);
}

TEST_F(RelayErrors, RateLimit) {
  start_relay({"--limit", "2", "100000"});
  auto a = connect(1);
  auto a2 = connect(1, "second");  // same twin, other session: shares the budget
  auto b = connect(2);
  ASSERT_TRUE(a && a2 && b);
  // The limiter's window is the wall-clock minute: the frames below must not straddle a
  // boundary. Checked once the relay and sessions are up (starting them can take seconds on
  // a loaded machine), leaving a wide margin for the exchange itself.
  const uint64_t into_window = core::unix_now() % 60;
  if (into_window > 40) std::this_thread::sleep_for(std::chrono::seconds(61 - into_window));
  auto first = a->request_to(2, std::nullopt, "cmd", "1");
  auto second = a2->request_to(2, std::nullopt, "cmd", "2");
  ASSERT_TRUE(a->send(first).ok());
  ASSERT_TRUE(a2->send(second).ok());
  // Two connections: the relay may route their frames in either order.
  auto got1 = b->receive();
  auto got2 = b->receive();
  ASSERT_TRUE(got1.ok() && got2.ok());
  EXPECT_EQ((std::set<std::string>{got1->uid(), got2->uid()}), (std::set<std::string>{first.uid(), second.uid()}));
  auto third = a->request_to(2, std::nullopt, "cmd", "3");
  ASSERT_TRUE(a->send(third).ok());
  expect_error(*a, third.uid(), "exceeded rate limits, dropping message");
  // Oversized for the window: rejected too, and the connection stays up.
  auto big = a2->request_to(2, std::nullopt, "cmd", std::string(100001, 'x'));
  ASSERT_TRUE(a2->send(big).ok());
  expect_error(*a2, big.uid(), "exceeded rate limits, dropping message");
  // Twin 2 has its own budget.
  auto back = b->request_to(1, std::nullopt, "cmd", "");
  ASSERT_TRUE(b->send(back).ok());
  auto got = a->receive();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->uid(), back.uid());
  EXPECT_EQ(metric("relay_drops_total{reason=\"rate_limited\"}"), 2);
}

TEST_F(RelayErrors, OnlyRequestsGetErrorEnvelopes) {
  start_relay();
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto response = a->request_to(999, std::nullopt, "", "");
  response.mutable_response();  // a response to an unknown twin: dropped silently
  ASSERT_TRUE(a->send(response).ok());
  auto request = a->request_to(999, std::nullopt, "cmd", "");
  ASSERT_TRUE(a->send(request).ok());
  // The first thing back is the request's error, nothing for the response.
  expect_error(*a, request.uid(), "unknown twin destination");
}

}  // namespace
}  // namespace rmb::relay
