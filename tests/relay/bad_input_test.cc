// Bad input of every kind gets its clear error, and the relay keeps serving a bystander
// pair (twins 5 and 6) after each case.
#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"
#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

class RelayBadInput : public RelayTest {
 protected:
  void SetUp() override {
    RelayTest::SetUp();
    start_relay({"--max-frame-size", "65536"});
    expect_bystanders_served();
  }
  void TearDown() override { expect_bystanders_served(); }
};

TEST_F(RelayBadInput, GarbageFrameClosesWithInvalidEnvelope) {
  auto a = connect(1);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->send_binary(std::string("\xff\xff\xff\xff", 4)).ok());
  auto reason = a->wait_closed();
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(*reason, "invalid envelope");
  // The twin can connect again at once and is served.
  auto again = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(again && b);
  expect_round_trip(*again, *b);
}

TEST_F(RelayBadInput, TextFrameCloses) {
  auto a = connect(1);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->send_text("{\"hello\":1}").ok());
  auto reason = a->wait_closed();
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(*reason, "text frames are not supported");
}

TEST_F(RelayBadInput, OversizeFrameCloses) {
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto big = a->request_to(2, std::nullopt, "cmd", std::string(70000, 'x'));
  (void)a->send(big);  // the relay may cut the connection while it is being written
  auto reason = a->wait_closed();
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(a->close_code(), 1009);  // message too big
  EXPECT_GE(metric("relay_drops_total{reason=\"oversize_frame\"}"), 1);
}

TEST_F(RelayBadInput, JwtMissing) {
  auto r = test::WsClient::refusal_for(port(), "/");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, "missing jwt");
}

TEST_F(RelayBadInput, JwtMalformed) {
  const std::string good = core::mint_jwt(*twin(1).signer, 1, std::nullopt, core::unix_now());
  const size_t last_dot = good.rfind('.');
  for (const std::string& token : {good.substr(0, last_dot),  // 2 parts
                                   good + ".extra",           // 4 parts
                                   std::string("not-a-jwt"), std::string(""), std::string("a.b.c")}) {
    auto r = test::WsClient::refusal_for(port(), "/?" + token);
    EXPECT_EQ(r.status, 401u) << token;
    EXPECT_EQ(r.body.rfind("invalid jwt: jwt", 0), 0u) << token << " -> " << r.body;
  }
}

TEST_F(RelayBadInput, JwtExpired) {
  const std::string token = core::mint_jwt(*twin(1).signer, 1, std::nullopt, core::unix_now() - 1000, 300);
  auto r = test::WsClient::refusal_for(port(), "/?" + token);
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.body, "invalid jwt: jwt has expired");
}

TEST_F(RelayBadInput, JwtWrongKey) {
  // Twin 1's claims signed with twin 2's key.
  const std::string token = core::mint_jwt(*twin(2).signer, 1, std::nullopt, core::unix_now());
  auto r = test::WsClient::refusal_for(port(), "/?" + token);
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.body.rfind("invalid jwt: jwt", 0), 0u) << r.body;
}

TEST_F(RelayBadInput, JwtUnknownTwin) {
  const std::string token = core::mint_jwt(*twin(1).signer, 999, std::nullopt, core::unix_now());
  auto r = test::WsClient::refusal_for(port(), "/?" + token);
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.body, "twin not found 999");
}

TEST_F(RelayBadInput, PathIsIgnored) {
  const std::string token = core::mint_jwt(*twin(1).signer, 1, std::nullopt, core::unix_now());
  auto r = test::WsClient::refusal_for(port(), "/any/path?" + token);
  EXPECT_EQ(r.status, 101u);
}

TEST_F(RelayBadInput, DuplicateSessionKeepsNewest) {
  auto old_a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(old_a && b);
  auto new_a = connect(1);
  ASSERT_TRUE(new_a);
  auto reason = old_a->wait_closed();
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(*reason, "replaced by a newer connection of the same session");
  // The newest stays connected and is served (no rmb-rs double drop).
  expect_round_trip(*b, *new_a);
  expect_round_trip(*new_a, *b);
  // Counted when the replaced session is torn down, after its close handshake, which runs
  // alongside the round trips above.
  EXPECT_EQ(wait_for_metric("relay_session_evictions_total{reason=\"replaced\"}", [](double n) { return n >= 1; }), 1);
}

TEST_F(RelayBadInput, PostGarbage) {
  auto r = test::http_post(port(), "/", std::string("\xff\xff\xff", 3));
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body.rfind("bad request: ", 0), 0u) << r.body;
}

TEST_F(RelayBadInput, PostOversize) {
  auto r = test::http_post(port(), "/", std::string(200000, 'x'));
  EXPECT_EQ(r.status, 400u) << r.error;
  EXPECT_EQ(r.body, "bad request: body limit exceeded");
}

}  // namespace
}  // namespace rmb::relay
