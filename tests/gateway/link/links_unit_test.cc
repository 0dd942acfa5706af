// RelayLinks against an in-process WebSocket server (no relay): connect with a JWT,
// frames both ways, keep-alive, reconnects, held frames, deadlines, stop().
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"
#include "tests/gateway/link/links_fixture.h"
#include "tests/support/fake_ws_server.h"
#include "tests/support/poll.h"
#include "tests/support/process.h"

namespace rmb::gateway::link {
namespace {

using namespace std::chrono_literals;
using test::FakeWsServer;
using State = LinkStatus::State;

std::string url_of(uint16_t port, const std::string& path = "/") { return absl::StrCat("ws://127.0.0.1:", port, path); }

TEST_F(LinksTest, ConnectsWithAFreshJwtInTheQuery) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  start(options({url_of(server.port(), "/relay?ignored=1")}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); })) << link_status(0).last_error;
  EXPECT_TRUE(links_->any_connected());
  auto status = link_status(0);
  EXPECT_EQ(status.url, url_of(server.port(), "/relay?ignored=1"));
  EXPECT_NE(status.connected_since, 0u);
  EXPECT_EQ(status.reconnects, 0u);
  EXPECT_EQ(status.last_error, "");

  // The server records the target after its upgrade answer went out.
  ASSERT_TRUE(eventually([&] { return server.targets().size() == 1; }));
  const std::string target = server.targets()[0];
  ASSERT_EQ(target.rfind("/relay?", 0), 0u) << target;
  auto parsed = core::parse_jwt(target.substr(7));
  ASSERT_TRUE(std::holds_alternative<core::ParsedJwt>(parsed)) << std::get<core::JwtError>(parsed).message;
  const auto& jwt = std::get<core::ParsedJwt>(parsed);
  EXPECT_EQ(jwt.claims.twin, me().id);
  EXPECT_FALSE(jwt.claims.sid.has_value());
  EXPECT_EQ(jwt.claims.exp - jwt.claims.iat, 300u);
  EXPECT_FALSE(core::verify_jwt(jwt, me().signer->account(), core::unix_now()).has_value());
}

TEST_F(LinksTest, FramesGoOutAndComeBack) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  start(options({url_of(server.port())}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); }));
  std::vector<SendResult> results(50);
  for (int i = 0; i < 50; ++i) {
    links_->send(frame(absl::StrCat("frame ", i, std::string(i * 100, 'x'))), in(10s), results[i].callback());
  }
  for (int i = 0; i < 50; ++i) {
    auto status = results[i].wait();
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(status->ok()) << *status;
  }
  // One connection writes in order, and the echo comes back in order.
  for (int i = 0; i < 50; ++i) {
    auto got = sink_.pop();
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(*got, absl::StrCat("frame ", i, std::string(i * 100, 'x')));
  }
  for (auto& r : results) EXPECT_EQ(r.calls(), 1);
}

TEST_F(LinksTest, TextFramesAreSkipped) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  start(options({url_of(server.port())}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); }));
  SendResult sent;
  links_->send(frame(FakeWsServer::kAskText), in(10s), sent.callback());
  ASSERT_TRUE(sent.wait().value_or(absl::UnknownError("timeout")).ok());
  // The server answers "hello" as Text, then the echo as Binary: only the echo arrives.
  auto got = sink_.pop();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, FakeWsServer::kAskText);
  EXPECT_TRUE(link_connected(0));
}

TEST_F(LinksTest, PingsKeepAnIdleLinkUp) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  auto o = options({url_of(server.port())});
  o.ping_after_idle = 50ms;
  // A pong must come back within silent_timeout of the last frame: long enough that a
  // loaded machine (and ASan) cannot stall the ping round trip past it.
  o.silent_timeout = 4000ms;
  start(o);
  ASSERT_TRUE(eventually([&] { return link_connected(0); }));
  // Without pings (the server sends nothing on its own) the link would drop after 4 s.
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(link_status(0).reconnects, 0u);
  EXPECT_TRUE(link_connected(0));
}

TEST_F(LinksTest, SilentRelayIsDroppedAndRedialed) {
  FakeWsServer server(FakeWsServer::Mode::kMute);
  auto o = options({url_of(server.port())});
  o.ping_after_idle = 50ms;
  o.silent_timeout = 300ms;
  start(o);
  ASSERT_TRUE(eventually([&] { return server.connections() >= 3; }));
  ASSERT_TRUE(eventually([&] { return link_status(0).reconnects >= 1; }));
  // The drop reason is recorded; it may be connected again by now, so look at the log of
  // reasons through a fresh drop.
  ASSERT_TRUE(eventually([&] { return link_status(0).last_error.find("nothing received for") != std::string::npos; }))
      << link_status(0).last_error;
}

TEST_F(LinksTest, DroppedConnectionIsRedialedAndQueuedFramesSurvive) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  start(options({url_of(server.port())}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); }));
  SendResult closing;
  links_->send(frame(FakeWsServer::kAskClose), in(10s), closing.callback());
  ASSERT_TRUE(closing.wait().value_or(absl::UnknownError("timeout")).ok());
  ASSERT_TRUE(eventually([&] { return link_status(0).reconnects >= 1 && link_connected(0); }));
  // The server counts a connection on its own thread after the handshake it answered, so
  // the link can see itself connected a moment before the count moves: wait for it.
  EXPECT_EQ(test::poll_until([&] { return server.connections(); }, [](size_t n) { return n >= 2; }, 10s), 2u);
  SendResult after;
  links_->send(frame("after reconnect"), in(10s), after.callback());
  ASSERT_TRUE(after.wait().value_or(absl::UnknownError("timeout")).ok());
  // When the drop was seen before the write of "close please" completed, the link sent it
  // again on the new connection (at least once): its echo may come first.
  auto got = sink_.pop();
  if (got == std::optional<std::string>(FakeWsServer::kAskClose)) got = sink_.pop();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "after reconnect");
}

TEST_F(LinksTest, NoRelayFailsAtTheDeadlineNamingTheUrls) {
  const uint16_t a = test::closed_port(), b = test::closed_port();
  start(options({url_of(a), url_of(b)}));
  SendResult result;
  const auto deadline = in(700ms);
  links_->send(frame("nobody"), deadline, result.callback());
  auto status = result.wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status->message(), absl::StrCat("no relay link is connected (tried: ", url_of(a), ", ", url_of(b), ")"));
  EXPECT_GE(result.completed_at(), deadline);
  EXPECT_EQ(result.calls(), 1);
  EXPECT_FALSE(links_->any_connected());
  // The deadline does not wait for the link's first dial to fail: on a slow machine that
  // can come after it.
  EXPECT_TRUE(eventually([&] { return link_status(0).last_error.find("connect: ") != std::string::npos; }))
      << link_status(0).last_error;
}

TEST_F(LinksTest, AnUpgradeThatNeverAnswersTimesOutAndIsRedialed) {
  // The server takes the TCP connection and never answers the upgrade: only the connect
  // deadline (resolve, connect, TLS and upgrade together) ends the attempt.
  FakeWsServer server(FakeWsServer::Mode::kNoUpgrade);
  auto o = options({url_of(server.port())});
  o.connect_timeout = 300ms;
  start(o);
  ASSERT_TRUE(eventually([&] { return server.accepted() >= 2; })) << link_status(0).last_error;
  const auto status = link_status(0);
  EXPECT_EQ(status.last_error, "websocket handshake: timed out");
  EXPECT_NE(status.state, State::kConnected);
  EXPECT_FALSE(links_->any_connected());
}

TEST_F(LinksTest, HeldFrameGoesOutWhenARelayComesUp) {
  const uint16_t port = test::free_port();
  start(options({url_of(port)}));
  SendResult result;
  links_->send(frame("early bird"), in(30s), result.callback());
  ASSERT_TRUE(eventually([&] { return !link_status(0).last_error.empty(); }));
  EXPECT_EQ(result.calls(), 0);
  FakeWsServer server(FakeWsServer::Mode::kEcho, port);
  auto status = result.wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << *status;
  auto got = sink_.pop();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "early bird");
}

TEST_F(LinksTest, HoldingIsBounded) {
  auto o = options({url_of(test::closed_port())});
  o.queue_limit = 3;
  start(o);
  std::vector<SendResult> results(5);
  for (auto& r : results) links_->send(frame("x"), in(30s), r.callback());
  // Beyond the limit, send() refuses at once instead of growing without bound.
  for (int i = 3; i < 5; ++i) {
    auto status = results[i].wait(1s);
    ASSERT_TRUE(status.has_value()) << i;
    EXPECT_EQ(status->code(), absl::StatusCode::kUnavailable);
    EXPECT_NE(status->message().find("queues are full"), std::string::npos) << *status;
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(results[i].calls(), 0);
  links_->stop();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(results[i].calls(), 1);
    EXPECT_EQ(results[i].wait()->code(), absl::StatusCode::kCancelled);
  }
}

TEST_F(LinksTest, StopCancelsPendingAndLaterSends) {
  start(options({url_of(test::closed_port())}));
  SendResult pending;
  links_->send(frame("pending"), in(60s), pending.callback());
  links_->stop();
  ASSERT_EQ(pending.calls(), 1);  // before stop() returned
  EXPECT_EQ(pending.wait()->code(), absl::StatusCode::kCancelled);
  SendResult late;
  links_->send(frame("late"), in(60s), late.callback());
  ASSERT_EQ(late.calls(), 1);
  EXPECT_EQ(late.wait()->code(), absl::StatusCode::kCancelled);
  links_->stop();  // idempotent
}

TEST_F(LinksTest, StopWhileConnectedAndBusy) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  start(options({url_of(server.port())}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); }));
  std::vector<SendResult> results(200);
  for (auto& r : results) links_->send(frame(std::string(10000, 'z')), in(30s), r.callback());
  links_->stop();
  // Every send completed exactly once by the time stop() returned: OK if it was written
  // first, CANCELLED otherwise.
  for (auto& r : results) {
    ASSERT_EQ(r.calls(), 1);
    auto code = r.wait()->code();
    EXPECT_TRUE(code == absl::StatusCode::kOk || code == absl::StatusCode::kCancelled) << code;
  }
  // And no frame reaches the handler after stop().
  const size_t seen = sink_.size();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(sink_.size(), seen);
}

TEST_F(LinksTest, DestroyingTheLinksWithoutStop) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  start(options({url_of(server.port())}));
  ASSERT_TRUE(eventually([&] { return link_connected(0); }));
  SendResult r;
  links_->send(frame("bye"), in(30s), r.callback());
  links_.reset();
  EXPECT_EQ(r.calls(), 1);
}

TEST_F(LinksTest, BadUrlDisablesOnlyThatLink) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  start(options({"http://nope", url_of(server.port())}));
  ASSERT_TRUE(eventually([&] { return link_connected(1); }));
  auto bad = link_status(0);
  EXPECT_EQ(bad.state, State::kBackoff);
  EXPECT_EQ(bad.last_error, "bad relay URL 'http://nope': expected ws:// or wss://");
  SendResult r;
  links_->send(frame("via the good one"), in(10s), r.callback());
  ASSERT_TRUE(r.wait().value_or(absl::UnknownError("timeout")).ok());
}

TEST_F(LinksTest, UnreadableCaFileDisablesTlsLinks) {
  auto o = options({"wss://127.0.0.1:1/", "ws://127.0.0.1:1/"});
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(check_link_options(o).code(), absl::StatusCode::kInvalidArgument);
  start(o);
  auto s = link_status(0);
  EXPECT_EQ(s.state, State::kBackoff);
  EXPECT_NE(s.last_error.find("cannot load CA file '/nonexistent/ca.pem'"), std::string::npos) << s.last_error;
  EXPECT_EQ(link_status(1).last_error.find("CA file"), std::string::npos);
}

TEST(CheckLinkOptions, ReportsProblemsUpFront) {
  auto twins = test::make_twins(1);
  LinkOptions o;
  EXPECT_EQ(check_link_options(o).message(), "no relay URL given");
  o.urls = {"ws://relay.example"};
  EXPECT_EQ(check_link_options(o).message(), "relay links need a signer");
  o.signer = twins[0].signer.get();
  EXPECT_TRUE(check_link_options(o).ok());
  o.urls.push_back("ws://relay.example:99999");
  EXPECT_EQ(check_link_options(o).message(), "bad relay URL 'ws://relay.example:99999': bad port '99999'");
}

}  // namespace
}  // namespace rmb::gateway::link
