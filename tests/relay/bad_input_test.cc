// Bad input of every kind gets its clear error, and the relay keeps serving a bystander
// pair (twins 5 and 6) after each case.
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"
#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

// `bytes` written to the relay in one piece (so header and body bytes arrive together), and
// its answer; status 0 with `error` when none came within 5 s.
test::HttpResult raw_request(uint16_t port, const std::string& bytes) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  test::HttpResult result;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  const timeval limit{5, 0};
  if (!ec) ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  if (!ec) asio::write(socket, asio::buffer(bytes), ec);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(socket, buffer, response, ec);
  if (ec) {
    result.error = ec.message();
    return result;
  }
  result.status = response.result_int();
  result.body = response.body();
  return result;
}

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

// A header announcing a 7.7 TB body with a few of its bytes in the same packet (the
// request side of fuzz_federation_answer's finding): Boost 1.74's request parser checks the
// limit before it reserves, and its eager loop then only re-reads those bytes as header
// fields, so the relay answers the clear 400 and keeps serving.
TEST_F(RelayBadInput, PostAnnouncingAHugeBodyIsRefusedFromItsHeader) {
  auto r = raw_request(port(),
                       "POST / HTTP/1.1\r\nhost: relay.test\r\ncontent-length: 7777777777784\r\n\r\n"
                       "d requ\xff\xff\x8d\x8d\x8d\x8d\x8d\xff\x65\xf3\xff"
                       "7784\r\n\r\nd requ\xff\xff\x8d\x8d\x8d\x8d\x8d\xff\x65\xf3\xff!t");
  EXPECT_EQ(r.status, 400u) << r.error;
  EXPECT_EQ(r.body, "bad request: body limit exceeded");
  EXPECT_GE(metric("relay_drops_total{reason=\"oversize_body\"}"), 1);
}

}  // namespace
}  // namespace rmb::relay
