// Delivery through one relay: byte-identical round trips, exact session routing, offline
// mail, envelope ping -> pong.
#include "core/util/clock.h"
#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

using RelayRouting = RelayTest;

TEST_F(RelayRouting, RequestAndResponseArriveByteIdentical) {
  start_relay();
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  expect_round_trip(*a, *b);
  // Payloads the relay never looks at: binary, cipher, large.
  auto request = a->request_to(2, std::nullopt, "bin", std::string("\x00\xff\x01", 3) + std::string(200000, 'z'));
  request.set_cipher(std::string(1000, '\x7f'));
  request.add_relays("relay.test");
  request.set_tags("a,b");
  request.set_schema("application/json");
  auto sent = a->send(request);
  ASSERT_TRUE(sent.ok());
  auto got = b->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, *sent);
}

TEST_F(RelayRouting, SessionsAreRoutedByExactTwinAndSid) {
  start_relay();
  auto a = connect(1);
  auto b_none = connect(2);
  auto b_sid = connect(2, "s1");
  auto b_empty = connect(2, "");
  ASSERT_TRUE(a && b_none && b_sid && b_empty);
  expect_round_trip(*a, *b_sid);
  expect_round_trip(*a, *b_empty);
  expect_round_trip(*a, *b_none);
  // Each of the three got only its own message: the next one each receives is a marker.
  for (auto* b : {b_none.get(), b_sid.get(), b_empty.get()}) {
    auto marker = a->request_to(2, b->sid(), "marker", "m");
    ASSERT_TRUE(a->send(marker).ok());
    auto got = b->receive();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->uid(), marker.uid());
  }
}

TEST_F(RelayRouting, OfflineMailDeliveredOnConnectOldestFirst) {
  start_relay();
  auto a = connect(1);
  ASSERT_TRUE(a);
  std::vector<std::string> sent;
  for (int i = 0; i < 5; ++i) {
    auto r = a->send(a->request_to(2, "later", "mail", "n" + std::to_string(i)));
    ASSERT_TRUE(r.ok());
    sent.push_back(*r);
  }
  sync(*a);
  // A session of twin 2 with another sid does not get it.
  auto other = connect(2, "elsewhere");
  ASSERT_TRUE(other);
  auto b = connect(2, "later");
  ASSERT_TRUE(b);
  for (const auto& expected : sent) {
    auto got = b->receive_raw();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, expected);
  }
  auto marker = a->request_to(2, "elsewhere", "marker", "");
  ASSERT_TRUE(a->send(marker).ok());
  auto first = other->receive();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->uid(), marker.uid());
}

TEST_F(RelayRouting, ExpiredMailIsNotDelivered) {
  start_relay();
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto stale = a->request_to(2, std::nullopt, "stale", "old");
  stale.set_timestamp(core::unix_now() - 1000);
  stale.set_expiration(10);  // expired 990 s ago
  ASSERT_TRUE(a->send(stale).ok());
  auto fresh = a->request_to(2, std::nullopt, "fresh", "new");
  auto fresh_bytes = a->send(fresh);
  ASSERT_TRUE(fresh_bytes.ok());
  sync(*a);
  auto b = connect(2);
  ASSERT_TRUE(b);
  auto got = b->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, *fresh_bytes);
  EXPECT_GE(metric("relay_drops_total{reason=\"expired\"}"), 1);
}

TEST_F(RelayRouting, EnvelopePingGetsPongHelloWorld) {
  start_relay();
  auto a = connect(1, "ts-client");
  ASSERT_TRUE(a);
  rmb::Envelope ping;
  ping.set_uid(test::random_uid());
  ping.set_timestamp(core::unix_now());
  ping.set_expiration(40);
  ping.mutable_source()->set_twin(1);
  ping.mutable_source()->set_connection("ts-client");
  ping.mutable_destination();  // empty address, as the TS client sends
  ping.mutable_ping();
  ASSERT_TRUE(a->send(ping, /*sign=*/false).ok());
  auto pong = a->receive();
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(pong->uid(), ping.uid());
  EXPECT_TRUE(pong->has_pong());
  EXPECT_EQ(pong->plain(), "hello world");
  EXPECT_EQ(pong->destination().twin(), 1u);
  EXPECT_EQ(pong->destination().connection(), "ts-client");
  EXPECT_EQ(pong->source().twin(), 0u);
}

}  // namespace
}  // namespace rmb::relay
