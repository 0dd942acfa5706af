// rmb-rs users switching to rmb-cpp (issue 12): the Helm chart's rmb-relay command line,
// what a bare `rmb-relay` does, rmb-rs's token handling (checked at connect only), and the
// twin cache following a twin that moved to another relay. Real processes on loopback: a
// redis-server of the test's own and the project's fake tfchain node.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"
#include "tests/relay/relay_fixture.h"
#include "tests/support/fake_node.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::relay {
namespace {

using std::chrono::seconds;

using test::chain_twin;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool healthy(uint16_t port) {
  return test::http_request(port, "GET", "/healthz", "", std::chrono::milliseconds(500)).status == 200;
}

// `from` sends a request to `to`, which receives it and answers; false on any failure.
bool round_trip(test::WsClient& from, test::WsClient& to) {
  auto request = from.request_to(to.twin(), to.sid(), "compat.echo", "ping");
  if (!from.send(request).ok()) return false;
  auto got = to.receive();
  if (!got.ok() || got->uid() != request.uid()) return false;
  if (!to.send(to.response_to(*got, "pong")).ok()) return false;
  auto answer = from.receive();
  return answer.ok() && answer->uid() == request.uid();
}

// True when something accepts TCP connections on 127.0.0.1:`port`.
bool port_answers(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

class RelayRmbRs : public RelayTest {
 protected:
  // Spawns rmb-relay with exactly `args` (nothing added), stderr to <dir>/<name>.log.
  std::unique_ptr<test::ChildProcess> spawn(const std::string& name, std::vector<std::string> args) {
    log_path_ = dir_ + "/" + name + ".log";
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    args.insert(args.begin(), test::relay_binary());
    auto child = test::ChildProcess::spawn(args, fd);
    ::close(fd);
    if (!child.ok()) ADD_FAILURE() << child.status();
    return child.ok() ? std::move(*child) : nullptr;
  }
  // The port the relay bound for "-l 127.0.0.1:0", from its log line "rmb-relay listening
  // on ... (port N"; 0 if it exited or did not log it in time.
  uint16_t logged_port(test::ChildProcess& relay) {
    const std::string log = test::poll_until(
        [&] { return read_file(log_path_); },
        [&](const std::string& l) { return std::regex_search(l, test::relay_listening_line()) || !relay.running(); },
        std::chrono::seconds(20));
    std::smatch match;
    return std::regex_search(log, match, test::relay_listening_line())
               ? static_cast<uint16_t>(std::stoul(match[1].str()))
               : 0;
  }
  std::string log_path_;
};

TEST_F(RelayRmbRs, ChartCommandLineServes) {
  // The chart: rmb-relay --domain D -r redis://:PASS@HOST:6379 -s URL -u N -w N -l 0.0.0.0:80,
  // with its host names swapped for this test's Redis, fake node and a free loopback port.
  auto redis = test::RedisServer::start({.password = "chart-secret"});
  ASSERT_TRUE(redis.ok()) << redis.status();
  test::FakeNode node;
  auto twins = test::make_twins(2);
  for (const auto& t : twins) node.put_twin(chain_twin(t, "relay.test"));
  auto relay = spawn(
      "chart", {"--domain", "relay.test", "-r", "redis://:chart-secret@127.0.0.1:" + std::to_string((*redis)->port()),
                "-s", node.url(), "-u", "1000", "-w", "500", "-l", "127.0.0.1:0"});
  ASSERT_TRUE(relay);
  const uint16_t port = logged_port(*relay);
  ASSERT_NE(port, 0) << read_file(log_path_);
  ASSERT_TRUE(test::poll_until([&] { return healthy(port) || !relay->running(); }, [](bool b) { return b; },
                               std::chrono::seconds(20)));
  ASSERT_TRUE(relay->running()) << read_file(log_path_);
  // The chart's liveness and readiness probes read /metrics.
  EXPECT_EQ(test::http_request(port, "GET", "/metrics", "").status, 200);
  auto a = test::WsClient::connect(port, twins[0]);
  auto b = test::WsClient::connect(port, twins[1]);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(round_trip(**a, **b));
  // Mail for an offline session went to the chart's Redis (the mailbox is Redis, not memory).
  auto request = (*a)->request_to(twins[1].id, std::string("away"), "compat.echo", "later");
  ASSERT_TRUE((*a)->send(request).ok());
  auto later = test::WsClient::connect(port, twins[1], std::string("away"));
  ASSERT_TRUE(later.ok()) << later.status();
  auto got = (*later)->receive();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->uid(), request.uid());
  EXPECT_EQ(relay->stop(SIGTERM, seconds(10)), 0);
}

TEST_F(RelayRmbRs, BareRelayWithoutRedisRefusesToStartAndSaysWhy) {
  if (port_answers(6379)) GTEST_SKIP() << "something answers on 127.0.0.1:6379; the bare default would use it";
  auto relay = spawn("bare", {"-l", "127.0.0.1:0"});
  ASSERT_TRUE(relay);
  auto code = relay->stop(0, seconds(20));  // signal 0: just wait
  ASSERT_TRUE(code.has_value()) << "a bare rmb-relay kept running without Redis";
  EXPECT_EQ(*code, 1);
  const std::string log = read_file(log_path_);
  EXPECT_NE(log.find("no Redis answers at redis://localhost:6379"), std::string::npos) << log;
  EXPECT_NE(log.find("--mailbox memory"), std::string::npos) << log;
}

TEST_F(RelayRmbRs, GivenRedisThatIsDownIsRetriedWhileServing) {
  // An explicit -r names a Redis that may come up later (a chart starts both at once).
  const uint16_t dead = test::closed_port();
  auto relay = spawn(
      "down", {"--directory", directory_path_, "-r", "redis://127.0.0.1:" + std::to_string(dead), "-l", "127.0.0.1:0"});
  ASSERT_TRUE(relay);
  const uint16_t port = logged_port(*relay);
  ASSERT_NE(port, 0) << read_file(log_path_);
  EXPECT_TRUE(test::poll_until([&] { return healthy(port) || !relay->running(); }, [](bool b) { return b; },
                               std::chrono::seconds(20)));
  EXPECT_TRUE(relay->running()) << read_file(log_path_);
}

TEST_F(RelayRmbRs, WithoutDirectoryOrSubstrateItUsesMainnetAndSaysSo) {
  // The chain is connected on the first lookup: no lookup here, so no network is needed.
  auto relay = spawn("mainnet", {"--mailbox", "memory", "-l", "127.0.0.1:0"});
  ASSERT_TRUE(relay);
  const uint16_t port = logged_port(*relay);
  ASSERT_NE(port, 0) << read_file(log_path_);
  ASSERT_TRUE(test::poll_until([&] { return healthy(port) || !relay->running(); }, [](bool b) { return b; },
                               std::chrono::seconds(20)));
  const std::string line = "reading twins from the grid's main chain, wss://tfchain.grid.tf:443";
  const std::string log = test::poll_until([&] { return read_file(log_path_); },
                                           [&](const std::string& l) { return l.find(line) != std::string::npos; },
                                           std::chrono::seconds(10));
  EXPECT_NE(log.find(line), std::string::npos) << log;
}

TEST_F(RelayRmbRs, ShortLivedTokenSessionOutlivesItsLifetime) {
  // SDKs mint 60 s tokens; rmb-rs checks them at connect only. Here a 1 s token: the old
  // cut-off (exp - iat + 60 s) was 61 s after connect. Keep exchanging messages past it.
  start_relay();
  const auto opened = std::chrono::steady_clock::now();
  auto a = test::WsClient::connect(port(), twin(1), std::nullopt, /*ttl=*/1);
  auto b = connect(2);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b);
  const auto past_cut_off = seconds(1 + 60 + 5);
  bool ok = true;
  test::poll_until(
      [&] {
        ok = round_trip(**a, *b) && round_trip(*b, **a);
        return ok && std::chrono::steady_clock::now() - opened > past_cut_off;
      },
      [&](bool done) { return done || !ok; }, std::chrono::seconds(120), std::chrono::milliseconds(1000));
  EXPECT_TRUE(ok) << "the session with a 1 s token stopped working after "
                  << std::chrono::duration_cast<seconds>(std::chrono::steady_clock::now() - opened).count() << " s";
  EXPECT_GT(std::chrono::steady_clock::now() - opened, past_cut_off);
  EXPECT_EQ(metric("relay_session_evictions_total{reason=\"session_age\"}"), 0);
}

TEST_F(RelayRmbRs, TokenIssuedInTheFutureIsAcceptedUnlessAskedOtherwise) {
  const std::string token = core::mint_jwt(*twin(1).signer, 1, std::nullopt, core::unix_now() + 3600);
  start_relay();
  const auto accepted = test::WsClient::refusal_for(port(), "/?" + token);
  EXPECT_EQ(accepted.status, 101) << accepted.body << accepted.error;  // rmb-rs: iat not checked
  start_relay({"--max-iat-ahead", "60"});
  EXPECT_EQ(test::WsClient::refusal_for(port(), "/?" + token).status, 401);
}

TEST_F(RelayRmbRs, TwinThatMovedToAnotherRelayIsFollowed) {
  test::FakeNode node;
  auto twins = test::make_twins(2);
  for (const auto& t : twins) node.put_twin(chain_twin(t, "relay.test"));
  auto relay = test::RelayProcess::start({"--substrate", node.url(), "--domain", "relay.test", "--no-federation"});
  ASSERT_TRUE(relay.ok()) << relay.status();
  relay_ = std::move(*relay);
  auto a = test::WsClient::connect(port(), twins[0]);
  ASSERT_TRUE(a.ok()) << a.status();
  // twins[1] is not connected: its mail waits here, and its record is now in the cache.
  ASSERT_TRUE((*a)->send((*a)->request_to(twins[1].id, std::nullopt, "compat.echo", "first")).ok());
  ASSERT_GE(wait_for_metric("relay_mailbox_depth", [](double n) { return n >= 1; }), 1);
  // It moves to another relay. The next message must follow it (here: this relay does
  // not federate, so the sender hears so) instead of waiting here for the cache entry's
  // 5 minutes.
  node.put_twin(chain_twin(twins[1], "elsewhere.test"));
  auto second = (*a)->request_to(twins[1].id, std::nullopt, "compat.echo", "second");
  ASSERT_TRUE((*a)->send(second).ok());
  auto error = (*a)->receive(std::chrono::milliseconds(10000));
  ASSERT_TRUE(error.ok()) << "the second message was kept for the moved twin: " << error.status();
  ASSERT_TRUE(error->has_error());
  EXPECT_EQ(error->uid(), second.uid());
  EXPECT_EQ(error->error().message(), "federation is not configured on this relay");
}

TEST_F(RelayRmbRs, FailedFederationDropsTheCachedTwin) {
  test::FakeNode node;
  auto twins = test::make_twins(2);
  const std::string dead = "127.0.0.1:" + std::to_string(test::closed_port());  // nothing listens
  node.put_twin(chain_twin(twins[0], "relay.test"));
  node.put_twin(chain_twin(twins[1], dead));
  auto relay =
      test::RelayProcess::start({"--substrate", node.url(), "--domain", "relay.test", "--federation-scheme", "http"});
  ASSERT_TRUE(relay.ok()) << relay.status();
  relay_ = std::move(*relay);
  auto a = test::WsClient::connect(port(), twins[0]);
  ASSERT_TRUE(a.ok()) << a.status();
  // twins[1]'s relay is down: the request fails back to the sender.
  auto first = (*a)->request_to(twins[1].id, std::nullopt, "compat.echo", "first");
  first.set_expiration(2);
  ASSERT_TRUE((*a)->send(first).ok());
  auto error = (*a)->receive(std::chrono::milliseconds(20000));
  ASSERT_TRUE(error.ok()) << error.status();
  ASSERT_TRUE(error->has_error());
  EXPECT_EQ(error->uid(), first.uid());
  // Meanwhile twins[1] moved to this relay. Its cached record (the dead relay) was dropped
  // with the failure, so the next message is kept here for it instead of going to the dead
  // relay again for the cache entry's 5 minutes.
  node.put_twin(chain_twin(twins[1], "relay.test"));
  auto second = (*a)->request_to(twins[1].id, std::nullopt, "compat.echo", "second");
  ASSERT_TRUE((*a)->send(second).ok());
  // Connect only once it is stored: a connected twin gets its mail whatever the cache says.
  ASSERT_GE(wait_for_metric("relay_mailbox_depth", [](double n) { return n >= 1; }), 1);
  auto b = test::WsClient::connect(port(), twins[1]);
  ASSERT_TRUE(b.ok()) << b.status();
  auto got = (*b)->receive(std::chrono::milliseconds(20000));
  ASSERT_TRUE(got.ok()) << "the second message did not reach the twin on this relay: " << got.status();
  EXPECT_EQ(got->uid(), second.uid());
}

}  // namespace
}  // namespace rmb::relay
