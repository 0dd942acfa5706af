// The Redis front door across rmb-peer restarts (issue 11, "Nothing lost"): real rmb-peer
// processes (twins 1 and 2, each on its own database of one real redis-server) on a real
// rmb-relay. A request popped before a SIGKILL is sent after the restart; a reply that
// arrives after the caller's peer restarted reaches `ret` (re-sent request, or through
// msgbus.backlog.<uid> when no record of it survived); a backlog that is not one is
// dropped with a log line while other replies still get through.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/shapes.h"
#include "core/util/bytes.h"
#include "tests/compat/inproc_peer.h"
#include "tests/compat/redis_client.h"
#include "tests/support/peer_process.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::compat {
namespace {

using test::RedisClient;
using namespace std::chrono_literals;

std::string b64(std::string_view s) { return core::base64_std(core::as_bytes(s)); }

std::string request_json(const std::string& ref, uint32_t dst, const std::string& ret, const std::string& data,
                         const std::string& cmd, uint64_t exp = 60) {
  RequestJson r;
  r.ref = ref;
  r.cmd = cmd;
  r.exp = exp;
  r.dat = b64(data);
  r.dst = {dst};
  r.ret = ret;
  return to_json(r);
}

std::string response_json(const std::string& uid, const std::string& dst, const std::string& data) {
  ResponseJson c;
  c.ref = uid;
  c.dat = b64(data);
  c.dst = dst;
  return to_json(c);
}

bool eventually(const std::function<bool()>& holds, std::chrono::milliseconds limit = 30s) {
  return test::poll_until(
      holds, [](bool b) { return b; }, limit, 20ms);
}

class CompatRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = test::RedisServer::start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    twins_ = {test::make_net_twin(1), test::make_net_twin(2)};
    auto net = test::Network::start(twins_, db_url(3));  // the relay's mail on db 3
    ASSERT_TRUE(net.ok()) << net.status();
    net_ = std::move(*net);
    relay_port_ = net_->relay->port();
    peers_.resize(2);
    for (int i = 0; i < 2; ++i) ASSERT_NO_FATAL_FAILURE(start_peer(i));
    caller_ = RedisClient::connect(db_url(1));
    worker_ = RedisClient::connect(db_url(2));
    ASSERT_NE(caller_, nullptr);
    ASSERT_NE(worker_, nullptr);
    ASSERT_TRUE(probe()) << "twin 1 cannot reach twin 2 through its Redis queues";
  }
  void TearDown() override {
    for (auto& p : peers_) p.reset();
    if (net_ && net_->relay) net_->relay->terminate();
  }

  std::string db_url(int db) const { return absl::StrCat(redis_->url(), "/", db); }

  void start_peer(int i, bool debug = false) {
    peers_[i].reset();
    // rmb-rs's spellings (deprecated --mnemonics, short -r, counted -dd): the Redis-queue
    // users this front door is for start rmb-peer this way.
    std::vector<std::string> args = {"-k",          "ed25519",
                                     "--mnemonics", twins_[i].secret,
                                     "--directory", net_->directory_path,
                                     "--relay",     absl::StrCat("ws://127.0.0.1:", relay_port_),
                                     "-r",          db_url(i + 1)};
    if (debug) args.push_back("-dd");
    auto p = test::PeerProcess::start(args);
    ASSERT_TRUE(p.ok()) << p.status();
    peers_[i] = std::move(*p);
  }

  void restart_relay() {
    net_->relay->process().stop(SIGKILL);
    auto relay = test::RelayProcess::start_on(relay_port_, net_->relay_args);
    ASSERT_TRUE(relay.ok()) << relay.status();
    net_->relay = std::move(*relay);
  }

  // An rmb.version call from twin 1 to twin 2 through twin 1's Redis queues, answered:
  // both peers are up, linked and popping. Tried again while it is not (bounded).
  bool probe() {
    for (int i = 0; i < 20; ++i) {
      std::string ret = absl::StrCat("probe-", probes_++);
      caller_->lpush(kLocalQueue, request_json(ret, 2, ret, "", "rmb.version", 5));
      auto d = caller_->brpop(ret, 6s);
      if (d && parse_incoming_response(*d).ok() && !parse_incoming_response(*d)->err) return true;
    }
    return false;
  }

  // The worker of `cmd` on twin 2 (a Redis app): its next incoming request (b).
  IncomingRequestJson next_request(const std::string& cmd) {
    auto in = worker_->brpop("msgbus." + cmd, 30s);
    EXPECT_TRUE(in) << "twin 2 got no " << cmd << " request";
    if (!in) return {};
    auto b = parse_incoming_request(*in);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : IncomingRequestJson{};
  }

  std::unique_ptr<test::RedisServer> redis_;
  std::vector<test::NetTwin> twins_;
  std::unique_ptr<test::Network> net_;
  uint16_t relay_port_ = 0;
  std::vector<std::unique_ptr<test::PeerProcess>> peers_;
  std::unique_ptr<RedisClient> caller_;
  std::unique_ptr<RedisClient> worker_;
  int probes_ = 0;
};

// The request is popped while no relay is up (the gateway holds it), then twin 1's peer is
// SIGKILLed: after the restart it is sent, reaches the service once and is answered once.
TEST_F(CompatRestart, RequestPoppedBeforeSigkillIsSentAfterTheRestartAndAnsweredOnce) {
  net_->relay->process().stop(SIGKILL);
  caller_->lpush(kLocalQueue, request_json("kept", 2, "kept-ret", "payload-1", "svc.kept"));
  ASSERT_TRUE(eventually([&] {
    return caller_->integer({"LLEN", kLocalQueue}) == 0 &&
           caller_->integer({"LLEN", "msgbus.system.local.processing"}) <= 0;
  })) << "the request was not popped";
  peers_[0]->kill();
  ASSERT_NO_FATAL_FAILURE(restart_relay());
  ASSERT_NO_FATAL_FAILURE(start_peer(0));

  auto b = next_request("svc.kept");
  EXPECT_EQ(b.dat, b64("payload-1"));
  EXPECT_EQ(b.src, "1");
  worker_->lpush(kReplyQueue, response_json(b.ref, b.src, "answer-1"));
  auto d = parse_incoming_response(caller_->brpop("kept-ret", 30s).value_or(""));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->ref, "kept");
  EXPECT_EQ(d->src, "2");
  EXPECT_EQ(d->dat, b64("answer-1"));
  // Once: nothing more on either side after a later round trip.
  ASSERT_TRUE(probe());
  EXPECT_EQ(caller_->integer({"LLEN", "kept-ret"}), 0);
  EXPECT_EQ(worker_->integer({"LLEN", "msgbus.svc.kept"}), 0);
  EXPECT_TRUE(eventually([&] { return caller_->integer({"EXISTS", "msgbus.system.inflight"}) == 0; }));
}

// The request reached the service; twin 1's peer is SIGKILLed before the answer. The answer
// reaches `ret` once after the restart: through the re-sent request (its record survived),
// or, with the record gone (as for a request an rmb-rs peer sent), through its backlog.
class CompatRestartReply : public CompatRestart, public ::testing::WithParamInterface<bool> {};

TEST_P(CompatRestartReply, ReplyAfterTheCallersPeerRestartedReachesRet) {
  const bool record_lost = GetParam();
  caller_->lpush(kLocalQueue, request_json("late", 2, "late-ret", "q", "svc.late"));
  auto b = next_request("svc.late");
  ASSERT_FALSE(b.ref.empty());
  peers_[0]->kill();
  if (record_lost) {
    ASSERT_EQ(caller_->integer({"DEL", "msgbus.system.inflight"}), 1);
    ASSERT_EQ(caller_->integer({"EXISTS", "msgbus.backlog." + b.ref}), 1);
  }
  ASSERT_NO_FATAL_FAILURE(start_peer(0));
  ASSERT_TRUE(probe());  // twin 1 is back: linked and popping
  worker_->lpush(kReplyQueue, response_json(b.ref, b.src, "late answer"));
  auto d = parse_incoming_response(caller_->brpop("late-ret", 30s).value_or(""));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->ref, "late");
  EXPECT_EQ(d->src, "2");
  EXPECT_EQ(d->dat, b64("late answer"));
  ASSERT_TRUE(probe());
  EXPECT_EQ(caller_->integer({"LLEN", "late-ret"}), 0);
  // The re-sent request was recognised by twin 2: its service saw it once.
  EXPECT_EQ(worker_->integer({"LLEN", "msgbus.svc.late"}), 0);
}

INSTANTIATE_TEST_SUITE_P(RecordKeptOrLost, CompatRestartReply, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "ThroughTheBacklog" : "ThroughTheResentRequest";
                         });

// Replies for requests twin 1 has no record of (as after a restart, or sent by rmb-rs):
// one whose backlog is not an rmb.Backlog is dropped with a log line; the next one, with a
// good backlog, reaches its `ret`.
TEST_F(CompatRestart, BadBacklogBytesAreDroppedWithALogLineAndOtherRepliesStillArrive) {
  caller_->text({"SET", "msgbus.backlog.0bad-0000",
                 std::string("\x0a\x05"
                             "ab",
                             4)});
  caller_->text({"SET", "msgbus.backlog.0good-000", encode_backlog("0good-000", "good-ref", "orphan-ret", 60)});
  worker_->lpush(kReplyQueue, response_json("0bad-0000", "1", "lost"));
  worker_->lpush(kReplyQueue, response_json("0good-000", "1", "found"));
  auto d = parse_incoming_response(caller_->brpop("orphan-ret", 30s).value_or(""));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->ref, "good-ref");
  EXPECT_EQ(d->src, "2");
  EXPECT_EQ(d->dat, b64("found"));
  EXPECT_TRUE(peers_[0]->wait_for_output("msgbus.backlog.0bad-0000: not an rmb.Backlog protobuf", 30s))
      << peers_[0]->output();
  ASSERT_TRUE(probe());
  EXPECT_EQ(caller_->integer({"LLEN", "orphan-ret"}), 0);
}

// The request reached the service's Redis queue; the service's peer is SIGKILLed and
// restarted; the caller sends the request again (its relay link dropped). The new peer does
// not deliver it to the service a second time, and the service's one answer reaches the
// caller once.
TEST_F(CompatRestart, ServiceSidePeerRestartDoesNotDeliverTheRepeatAgain) {
  caller_->lpush(kLocalQueue, request_json("twice", 2, "twice-ret", "q", "svc.twice"));
  auto b = next_request("svc.twice");
  ASSERT_FALSE(b.ref.empty());
  peers_[1]->kill();
  ASSERT_NO_FATAL_FAILURE(start_peer(1, /*debug=*/true));
  ASSERT_NO_FATAL_FAILURE(restart_relay());  // the caller's link drops: it sends what is unanswered again
  EXPECT_TRUE(
      peers_[1]->wait_for_output(absl::StrCat("repeated request ", b.ref, " from 1 is on 'msgbus.svc.twice'"), 30s));
  worker_->lpush(kReplyQueue, response_json(b.ref, b.src, "once"));
  auto d = parse_incoming_response(caller_->brpop("twice-ret", 30s).value_or(""));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->dat, b64("once"));
  ASSERT_TRUE(probe());
  EXPECT_EQ(caller_->integer({"LLEN", "twice-ret"}), 0);
  EXPECT_EQ(worker_->integer({"LLEN", "msgbus.svc.twice"}), 0);
}

}  // namespace
}  // namespace rmb::compat
