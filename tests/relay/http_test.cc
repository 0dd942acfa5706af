// The plain HTTP routes: federation intake (POST /), /metrics, /healthz, 404.
#include "core/util/clock.h"
#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

using RelayHttp = RelayTest;

TEST_F(RelayHttp, HealthzAndNotFound) {
  start_relay();
  auto health = test::http_get(port(), "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "ok");
  for (const char* target : {"/nope", "/", "/metrics/x"}) {
    auto r = test::http_get(port(), target);
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_EQ(r.body, "page not found");
  }
  auto put = test::http_request(port(), "PUT", "/", "x");
  EXPECT_EQ(put.status, 404u);
}

TEST_F(RelayHttp, FederationIntakeDeliversAndQueues) {
  start_relay();
  auto b = connect(2);
  ASSERT_TRUE(b);
  // An envelope from a twin on another relay, posted by that relay.
  rmb::Envelope env;
  env.set_uid(test::random_uid());
  env.set_timestamp(core::unix_now());
  env.set_expiration(300);
  env.mutable_source()->set_twin(kForeignTwin);
  env.mutable_destination()->set_twin(2);
  env.mutable_request()->set_command("remote.cmd");
  env.set_plain("from afar");
  const std::string bytes = env.SerializeAsString();
  auto r = test::http_post(port(), "/", bytes);
  EXPECT_EQ(r.status, 202u);
  EXPECT_EQ(r.body, "");
  auto got = b->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, bytes);

  // fail-fast to a session that is not connected: 404.
  env.mutable_destination()->set_connection("absent");
  env.set_tags("fail-fast");
  r = test::http_post(port(), "/", env.SerializeAsString());
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, "destination offline");

  // Without fail-fast it waits in the mailbox for that session.
  env.clear_tags();
  const std::string queued = env.SerializeAsString();
  r = test::http_post(port(), "/", queued);
  EXPECT_EQ(r.status, 202u);
  auto later = connect(2, "absent");
  ASSERT_TRUE(later);
  got = later->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, queued);
}

TEST_F(RelayHttp, MetricsMove) {
  start_relay();
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  auto res = test::http_get(port(), "/metrics");
  ASSERT_EQ(res.status, 200u);
  for (const char* name :
       {"relay_message_rx ", "relay_message_tx ", "relay_message_rx_bytes ", "relay_message_tx_bytes ",
        "relay_sessions_connected ", "relay_mailbox_depth ", "relay_route_seconds_count ",
        "# TYPE relay_session_evictions_total counter", "# TYPE relay_drops_total counter"}) {
    EXPECT_NE(res.body.find(name), std::string::npos) << name;
  }
  // The relay registers a session just after its upgrade answer went out, so the client
  // can be connected a moment before it is counted.
  EXPECT_EQ(wait_for_metric("relay_sessions_connected", [](double n) { return n >= 2; }), 2);
  const double rx = metric("relay_message_rx");
  const double tx = metric("relay_message_tx");
  const double routed = metric("relay_route_seconds_count");
  expect_round_trip(*a, *b);
  EXPECT_EQ(metric("relay_message_rx"), rx + 2);
  // tx is counted when the relay's write completes, which can be just after the client
  // has read the frame.
  EXPECT_EQ(wait_for_metric("relay_message_tx", [&](double n) { return n >= tx + 2; }), tx + 2);
  // Routing is timed after the frame was handed to the destination, whose own thread may
  // deliver it first.
  EXPECT_EQ(wait_for_metric("relay_route_seconds_count", [&](double n) { return n >= routed + 2; }), routed + 2);
  EXPECT_GT(metric("relay_message_rx_bytes"), 0);

  // Mail for an offline session shows in the depth, and leaves it when collected.
  ASSERT_TRUE(a->send(a->request_to(3, std::nullopt, "cmd", "")).ok());
  ASSERT_TRUE(a->send(a->request_to(3, std::nullopt, "cmd", "")).ok());
  // Ordering: a round trip after the sends guarantees the relay has routed them.
  expect_round_trip(*a, *b);
  EXPECT_EQ(metric("relay_mailbox_depth"), 2);
  auto c = connect(3);
  ASSERT_TRUE(c && c->receive().ok() && c->receive().ok());
  // Counted out of the mailbox when the write completes, which can be just after c read it.
  EXPECT_EQ(wait_for_metric("relay_mailbox_depth", [](double n) { return n == 0; }), 0);

  b->close();
  // Eviction counted once the relay saw the close (b's close waits at most 2 s for the
  // answer, so it may return before): wait for it, bounded.
  expect_round_trip(*a, *c);
  EXPECT_EQ(wait_for_metric("relay_session_evictions_total{reason=\"closed\"}", [](double n) { return n >= 1; }), 1);
}

}  // namespace
}  // namespace rmb::relay
