// The relay's own WebSocket reader (relay/ws/frame_reader.*) against a real client on a
// real socket: what Beast used to do for it (pongs, fragments, protocol errors, the
// client's close) must still happen, and a bad client must not disturb the others.
#include "core/protocol/envelope/signing.h"
#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

class RelayWsProtocol : public RelayTest {
 protected:
  void SetUp() override {
    RelayTest::SetUp();
    start_relay();
    expect_bystanders_served();
  }
  void TearDown() override { expect_bystanders_served(); }
};

TEST_F(RelayWsProtocol, PingIsAnsweredWithItsPayload) {
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  auto pong = a->ping("are you there");
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(*pong, "are you there");
  expect_round_trip(*a, *b);
}

TEST_F(RelayWsProtocol, FragmentedEnvelopeIsRoutedWhole) {
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  auto request = a->request_to(2, std::nullopt, "test.echo", std::string(5000, 'f'));
  core::sign_envelope(request, *twin(1).signer);
  const std::string bytes = request.SerializeAsString();
  ASSERT_TRUE(a->send_fragmented(bytes, 7).ok());
  auto got = b->receive_raw();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, bytes);
}

TEST_F(RelayWsProtocol, UnmaskedFrameClosesWithProtocolError) {
  auto a = connect(1);
  ASSERT_TRUE(a);
  // FIN + binary, length 3, mask bit clear: a client must mask (RFC 6455 §5.1).
  ASSERT_TRUE(a->send_raw_bytes(std::string("\x82\x03"
                                            "abc",
                                            5))
                  .ok());
  auto reason = a->wait_closed();
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(a->close_code(), 1002);
  EXPECT_EQ(*reason, "client frame not masked");
  EXPECT_EQ(metric("relay_drops_total{reason=\"protocol_error\"}"), 1);
}

TEST_F(RelayWsProtocol, ClientCloseIsAnsweredAndTheSessionEnds) {
  auto a = connect(1);
  ASSERT_TRUE(a);
  a->close();
  // The session is gone: the same twin connects again as a new session.
  EXPECT_EQ(wait_for_metric("relay_session_evictions_total{reason=\"closed\"}", [](double n) { return n >= 1; }), 1);
  auto again = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(again && b);
  expect_round_trip(*again, *b);
}

}  // namespace
}  // namespace rmb::relay
