// The Redis front door against a real redis-server (started here on a free port) and a
// test-local gateway (loopback_gateway.h): every shape on the real lists, fan-out with an
// unknown twin, errors for requests that cannot be sent, garbage on the queues,
// concurrency, order, and redis-server killed and restarted with requests in flight.
#include <gtest/gtest.h>

#include <signal.h>

#include <functional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/redis_front_door.h"
#include "compat/shapes.h"
#include "core/util/bytes.h"
#include "core/util/clock.h"
#include "rmb/peer.pb.h"
#include "tests/compat/loopback_gateway.h"
#include "tests/compat/redis_client.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::compat {
namespace {

using test::LoopbackGateway;
using test::RedisClient;
using namespace std::chrono_literals;

std::string b64(std::string_view s) { return core::base64_std(core::as_bytes(s)); }

bool eventually(const std::function<bool()>& holds, std::chrono::milliseconds limit = 20s) {
  return test::poll_until(
      holds, [](bool b) { return b; }, limit);
}

std::string request_json(const std::string& ref, const std::vector<uint32_t>& dst, const std::string& ret,
                         const std::string& data = "hello", const std::string& cmd = "test.echo", uint64_t exp = 120) {
  RequestJson r;
  r.ref = ref;
  r.cmd = cmd;
  r.exp = exp;
  r.dat = b64(data);
  r.dst = dst;
  r.ret = ret;
  r.shm = "application/json";
  return to_json(r);
}

IncomingResponseJson parse_d(const std::optional<std::string>& json) {
  EXPECT_TRUE(json) << "no answer on the ret list";
  if (!json) return {};
  auto d = parse_incoming_response(*json);
  EXPECT_TRUE(d.ok()) << d.status() << " in " << *json;
  return d.ok() ? *d : IncomingResponseJson{};
}

class FrontDoorTest : public ::testing::Test {
 protected:
  void SetUp() override { start_redis({}); }

  void start_redis(test::RedisServerOptions options) {
    door_.reset();
    redis_.reset();
    auto r = test::RedisServer::start(std::move(options));
    ASSERT_TRUE(r.ok()) << r.status();
    redis_ = std::move(*r);
    open_door(redis_->url());
  }

  void open_door(const std::string& url) {
    door_.reset();
    url_ = url;
    auto d = start_redis_front_door({url_}, gateway_, gateway_);
    ASSERT_TRUE(d.ok()) << d.status();
    door_ = std::move(*d);
    app_ = RedisClient::connect(url_);
    ASSERT_NE(app_, nullptr);
  }

  void TearDown() override {
    if (door_) door_->stop();
  }

  LoopbackGateway gateway_;
  std::unique_ptr<test::RedisServer> redis_;
  std::string url_;
  std::unique_ptr<RedisFrontDoor> door_;
  std::unique_ptr<RedisClient> app_;
};

TEST_F(FrontDoorTest, BadUrlIsAnError) {
  auto d = start_redis_front_door({"http://nope"}, gateway_, gateway_);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(std::string(d.status().message()).find("invalid redis url"), std::string::npos);
}

TEST_F(FrontDoorTest, RedisCallerToRedisWorkerRoundTrip) {
  // The worker: BRPOP msgbus.<cmd>, answer on msgbus.system.reply (shape (c)).
  std::thread worker([this] {
    auto w = RedisClient::connect(url_);
    auto in = w->brpop("msgbus.calc.add");
    ASSERT_TRUE(in);
    auto b = parse_incoming_request(*in);
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(b->src, "7");
    EXPECT_EQ(b->cmd, "calc.add");
    EXPECT_EQ(b->ret, "msgbus.system.reply");
    EXPECT_EQ(b->dat, b64("[1,2]"));
    EXPECT_EQ(b->shm, "application/json");
    EXPECT_EQ(b->tag, std::nullopt);
    EXPECT_GT(b->exp, 0u);
    EXPECT_GE(b->now, core::unix_now() - 5);
    // Exact key order of (b), as rmb-rs writes it.
    EXPECT_EQ(in->rfind(absl::StrCat(R"({"ver":1,"ref":")", b->ref, R"(","src":"7","cmd":"calc.add","exp":)"), 0), 0u)
        << *in;
    ResponseJson c;
    c.ref = b->ref;
    c.dat = b64("3");
    c.dst = b->src;
    c.shm = "application/json";
    w->lpush("msgbus.system.reply", to_json(c));
  });
  app_->lpush("msgbus.system.local", request_json("r1", {LoopbackGateway::kSelf}, "caller-1", "[1,2]", "calc.add"));
  auto d = parse_d(app_->brpop("caller-1"));
  worker.join();
  EXPECT_EQ(d.ref, "r1");
  EXPECT_EQ(d.src, "7");
  EXPECT_EQ(d.dat, b64("3"));
  EXPECT_FALSE(d.err);
}

TEST_F(FrontDoorTest, FanOutWithOneUnknownDestinationAndBacklog) {
  app_->lpush("msgbus.system.local",
              request_json("fan", {55, LoopbackGateway::kUnknown, LoopbackGateway::kRelayError, LoopbackGateway::kHeld},
                           "fan-ret"));
  std::map<std::string, IncomingResponseJson> by_src;
  for (int i = 0; i < 3; ++i) {
    auto d = parse_d(app_->brpop("fan-ret"));
    by_src[d.src] = d;
  }
  ASSERT_EQ(by_src.size(), 3u);
  EXPECT_EQ(by_src["55"].dat, b64("echo:hello"));
  EXPECT_EQ(by_src["55"].ref, "fan");
  EXPECT_EQ(by_src["55"].now, 1700000005u);
  ASSERT_TRUE(by_src[""].err);
  EXPECT_EQ(by_src[""].err->code, 103u);
  EXPECT_EQ(by_src[""].err->message, "unknown twin id '99'");
  EXPECT_EQ(by_src[""].now, 0u);
  EXPECT_EQ(by_src[""].dat, "");
  ASSERT_TRUE(by_src["0"].err);
  EXPECT_EQ(by_src["0"].err->message, "relay says no");

  // While a destination is unanswered, msgbus.backlog.<uid> holds the rmb.Backlog protobuf
  // with the clamped TTL, as rmb-rs writes it.
  const std::string uid = gateway_.requests().at(0).uid.value_or("");
  ASSERT_FALSE(uid.empty());
  auto backlog = app_->get("msgbus.backlog." + uid);
  ASSERT_TRUE(backlog);
  rmb::Backlog b;
  ASSERT_TRUE(b.ParseFromString(*backlog));
  EXPECT_EQ(b.uid(), uid);
  EXPECT_EQ(b.reference(), "fan");
  EXPECT_EQ(b.reply_to(), "fan-ret");
  EXPECT_EQ(b.module(), "");
  EXPECT_EQ(b.ttl(), 120u);
  long long ttl = app_->integer({"TTL", "msgbus.backlog." + uid});
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 120);
  EXPECT_EQ(app_->integer({"LLEN", "fan-ret"}), 0);

  // Once every destination is answered, the backlog and the in-flight record go: a late
  // repeat of an answer then finds no backlog to be routed by.
  gateway_.release_held();
  EXPECT_EQ(parse_d(app_->brpop("fan-ret")).src, std::to_string(LoopbackGateway::kHeld));
  EXPECT_TRUE(eventually([&] { return app_->integer({"EXISTS", "msgbus.backlog." + uid}) == 0; }));
  EXPECT_TRUE(eventually([&] { return app_->integer({"EXISTS", "msgbus.system.inflight"}) == 0; }));
}

TEST_F(FrontDoorTest, RequestsThatCannotBeSentAreAnsweredAtOnce) {
  struct Case {
    std::string json;
    uint32_t code;
    std::string message;
    int copies;
  };
  uint64_t now = core::unix_now();
  std::vector<Case> cases = {
      {R"({"ver":1,"ref":"b64","cmd":"c","exp":10,"dat":"e30","dst":[55],"ret":"e1","now":0})", 500,
       "other: invalid data base64 encoding", 1},
      {absl::StrCat(R"({"ver":1,"ref":"exp0","cmd":"c","exp":0,"dat":"","dst":[55],"ret":"e1","now":0})"), 102,
       "envelope validation error: message has expired", 1},
      {absl::StrCat(R"({"ver":1,"ref":"old","cmd":"c","exp":10,"dat":"","dst":[55,56],"ret":"e1","now":)", now - 60,
                    "}"),
       102, "envelope validation error: message has expired", 2},
      {R"({"ver":1,"ref":"nodst","cmd":"c","exp":10,"dat":"","dst":[],"ret":"e1","now":0})", 500,
       "other: request has no destination", 1},
      {R"({"ver":1,"ref":"type","cmd":"c","exp":"10","dat":"","dst":[1],"ret":"e1","now":0})", 500,
       "other: invalid request: key 'exp' must be an unsigned integer", 1},
      {R"({"ver":1,"ref":"miss","cmd":"c","dat":"","dst":[1],"ret":"e1","now":0})", 500,
       "other: invalid request: missing key 'exp'", 1},
  };
  for (const auto& c : cases) {
    app_->lpush("msgbus.system.local", c.json);
    for (int i = 0; i < c.copies; ++i) {
      auto d = parse_d(app_->brpop("e1"));
      ASSERT_TRUE(d.err) << c.json;
      EXPECT_EQ(d.err->code, c.code) << c.json;
      EXPECT_EQ(d.err->message, c.message) << c.json;
      EXPECT_EQ(d.src, "");
      EXPECT_EQ(d.now, 0u);
      EXPECT_EQ(d.dat, "");
    }
  }
  EXPECT_EQ(app_->integer({"LLEN", "e1"}), 0);
  EXPECT_EQ(gateway_.request_count(), 0u);  // none reached the gateway
}

TEST_F(FrontDoorTest, GarbageDoesNotStopThePeer) {
  for (const char* junk : {"", "hello", "{", "[1,2,3]", "null", R"({"ret":5})", "\xff\xfe", R"({"ver":1})"}) {
    app_->lpush("msgbus.system.local", junk);
    app_->lpush("msgbus.system.reply", junk);
  }
  // Replies that cannot be sent anywhere are dropped; one with bad base64 becomes an error.
  app_->lpush("msgbus.system.reply", R"({"ver":1,"ref":"x","dat":"","dst":"notatwin","now":0,"err":null})");
  app_->lpush("msgbus.system.reply", R"({"ver":1,"ref":"remote-1","dat":"%%%","dst":"42","now":0,"err":null})");
  app_->rpush("msgbus.system.local", request_json("after", {55}, "g1"));  // RPUSH users too
  auto d = parse_d(app_->brpop("g1"));
  EXPECT_EQ(d.ref, "after");
  EXPECT_EQ(d.dat, b64("echo:hello"));
  // The reply queue is still read too.
  app_->lpush("msgbus.system.reply", R"({"ver":1,"ref":"remote-2","dat":"b2s=","dst":"42:s","shm":null,"now":0})");
  for (int i = 0; i < 200 && gateway_.foreign_replies().size() < 2; ++i) std::this_thread::sleep_for(50ms);
  auto replies = gateway_.foreign_replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].first, "remote-1");
  ASSERT_TRUE(replies[0].second.error);
  EXPECT_EQ(replies[0].second.error->code, 500u);
  EXPECT_EQ(replies[1].first, "remote-2");
  EXPECT_EQ(replies[1].second.data, "ok");
  EXPECT_FALSE(replies[1].second.error);
}

TEST_F(FrontDoorTest, ManyRequestsInFlightAtOnce) {
  // Held requests are answered only after all 64 reached the gateway: the pop loop must not
  // wait for answers.
  for (int i = 0; i < 64; ++i) {
    app_->lpush("msgbus.system.local",
                request_json(absl::StrCat("h", i), {LoopbackGateway::kHeld}, "held", absl::StrCat(i)));
  }
  ASSERT_TRUE(gateway_.wait_requests(64));
  gateway_.release_held();
  std::set<std::string> refs;
  for (int i = 0; i < 64; ++i) refs.insert(parse_d(app_->brpop("held")).ref.value_or("?"));
  EXPECT_EQ(refs.size(), 64u);
}

TEST_F(FrontDoorTest, OrderWithinAQueueIsKept) {
  for (int i = 0; i < 300; ++i) app_->lpush("msgbus.system.local", request_json(absl::StrCat(i), {55}, "ordered"));
  for (int i = 0; i < 300; ++i) EXPECT_EQ(parse_d(app_->brpop("ordered")).ref, absl::StrCat(i));

  auto sink = gateway_.fallback();
  ASSERT_NE(sink, nullptr);
  for (int i = 0; i < 300; ++i) {
    gateway::IncomingRequest in;
    in.uid = absl::StrCat("u", i);
    in.source = {9, std::string("s")};
    in.command = "order.test";
    ASSERT_TRUE(sink->offer(in));
  }
  for (int i = 0; i < 300; ++i) {
    auto b = parse_incoming_request(app_->brpop("msgbus.order.test").value_or(""));
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->ref, absl::StrCat("u", i));
    EXPECT_EQ(b->src, "9:s");
  }
}

TEST_F(FrontDoorTest, ListsAreCappedAt10000) {
  auto sink = gateway_.fallback();
  gateway::IncomingRequest in;
  in.source = {9, std::nullopt};
  in.command = "cap";
  for (int i = 0; i < 10050; ++i) {
    in.uid = absl::StrCat(i);
    ASSERT_TRUE(sink->offer(in));
  }
  // Wait for the last push, then the list holds the newest 10000.
  for (int i = 0; i < 400; ++i) {
    auto all = app_->lrange("msgbus.cap");
    if (!all.empty() && parse_incoming_request(all.front())->ref == "10049") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(app_->integer({"LLEN", "msgbus.cap"}), 10000);
  EXPECT_EQ(parse_incoming_request(*app_->brpop("msgbus.cap"))->ref, "50");
}

TEST_F(FrontDoorTest, RedisKilledAndRestartedEveryPoppedRequestIsAnswered) {
  constexpr int kN = 200;
  for (int i = 0; i < kN; ++i) {
    app_->lpush("msgbus.system.local",
                request_json(absl::StrCat("k", i), {LoopbackGateway::kHeld}, "survive", absl::StrCat(i)));
  }
  ASSERT_TRUE(gateway_.wait_requests(kN));  // all popped and sent
  redis_->kill();
  gateway_.release_held();  // answers arrive during the outage
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(redis_->restart().ok());
  app_ = RedisClient::connect(url_);
  ASSERT_NE(app_, nullptr);
  std::set<std::string> refs;
  for (int i = 0; i < kN; ++i) {
    auto d = parse_d(app_->brpop("survive"));
    refs.insert(d.ref.value_or("?"));
    EXPECT_EQ(d.dat.rfind(b64("held:").substr(0, 4), 0), 0u);
  }
  EXPECT_EQ(refs.size(), static_cast<size_t>(kN));
  // And it pops again after the outage.
  app_->lpush("msgbus.system.local", request_json("after-restart", {55}, "survive"));
  EXPECT_EQ(parse_d(app_->brpop("survive")).ref, "after-restart");
}

TEST_F(FrontDoorTest, RequestsWhileRedisIsDownAreServedAfterItReturns) {
  redis_->kill();
  std::this_thread::sleep_for(1500ms);  // the pop loop notices and backs off
  ASSERT_TRUE(redis_->restart().ok());
  app_ = RedisClient::connect(url_);
  app_->lpush("msgbus.system.local", request_json("late", {55}, "late-ret"));
  EXPECT_EQ(parse_d(app_->brpop("late-ret")).ref, "late");
}

TEST_F(FrontDoorTest, StopCancelsWhatIsInFlightAndReturns) {
  for (int i = 0; i < 5; ++i)
    app_->lpush("msgbus.system.local", request_json(absl::StrCat(i), {LoopbackGateway::kHeld}, "x"));
  ASSERT_TRUE(gateway_.wait_requests(5));
  door_->stop();
  EXPECT_EQ(gateway_.cancelled(), 5u);
  EXPECT_EQ(gateway_.fallback(), nullptr);
  door_->stop();  // twice is fine
}

TEST_F(FrontDoorTest, PasswordAndDatabaseInTheUrl) {
  test::RedisServerOptions o;
  o.password = "s3cret";
  o.unix_socket = true;
  start_redis(o);
  std::string tcp = absl::StrCat("redis://:s3cret@127.0.0.1:", redis_->port(), "/3");
  open_door(tcp);
  app_->lpush("msgbus.system.local", request_json("db3", {55}, "pw-ret"));
  EXPECT_EQ(parse_d(app_->brpop("pw-ret")).ref, "db3");
  app_->lpush("msgbus.system.local", request_json("held", {LoopbackGateway::kHeld}, "pw-ret"));
  ASSERT_TRUE(gateway_.wait_requests(2));
  const std::string backlog = "msgbus.backlog." + gateway_.requests().at(1).uid.value_or("");
  EXPECT_TRUE(eventually([&] { return app_->integer({"EXISTS", backlog}) == 1; }));
  // Nothing leaked into db 0.
  auto db0 = RedisClient::connect(absl::StrCat("redis://:s3cret@127.0.0.1:", redis_->port()));
  EXPECT_EQ(db0->integer({"EXISTS", backlog}), 0);
  EXPECT_EQ(db0->integer({"EXISTS", "msgbus.system.inflight"}), 0);
  EXPECT_EQ(app_->integer({"EXISTS", "msgbus.system.inflight"}), 1);
}

TEST_F(FrontDoorTest, UnixSocketUrl) {
  test::RedisServerOptions o;
  o.unix_socket = true;
  start_redis(o);
  auto path = redis_->unix_path();
  open_door(absl::StrCat("unix://", path, "?db=2"));
  app_->lpush("msgbus.system.local", request_json("unix", {55}, "unix-ret"));
  EXPECT_EQ(parse_d(app_->brpop("unix-ret")).ref, "unix");
}

// What the engine hands the orphan sink: a reply for a uid pending nowhere in this process.
gateway::Outcome late_reply(const std::string& uid, uint32_t from, const std::string& data) {
  gateway::Outcome o;
  o.uid = uid;
  o.source = {from, std::nullopt};
  o.destination = o.source;
  o.origin = gateway::Outcome::Origin::kRemote;
  o.data = data;
  o.timestamp = 1700000009;
  return o;
}

// A reply to a request sent before a restart (or by an rmb-rs peer on this Redis) reaches
// the caller's `ret` list with its `ref`, through msgbus.backlog.<uid>, as rmb-rs routes it.
TEST_F(FrontDoorTest, ReplyForNoPendingRequestReachesRetThroughItsBacklog) {
  ASSERT_TRUE(eventually([&] { return gateway_.has_orphan_sink(); }));
  app_->text({"SET", "msgbus.backlog.u-old", encode_backlog("u-old", "r-old", "old-ret", 60)});
  gateway_.orphan(late_reply("u-old", 55, "late"));
  auto d = parse_d(app_->brpop("old-ret"));
  EXPECT_EQ(d.ref, "r-old");
  EXPECT_EQ(d.src, "55");
  EXPECT_EQ(d.dat, b64("late"));
  EXPECT_EQ(d.now, 1700000009u);
  EXPECT_FALSE(d.err);
  // An error envelope too, with the backlog's ref (none here: null).
  app_->text({"SET", "msgbus.backlog.u-err", encode_backlog("u-err", std::nullopt, "old-ret", 60)});
  auto error = late_reply("u-err", 56, "");
  error.error = gateway::RmbError{104, "invalid envelope signature: message is not signed"};
  gateway_.orphan(error);
  auto e = parse_d(app_->brpop("old-ret"));
  EXPECT_EQ(e.ref, std::nullopt);
  ASSERT_TRUE(e.err);
  EXPECT_EQ(e.err->code, 104u);
  EXPECT_EQ(e.src, "56");
}

// A missing backlog (answered, expired), bytes that are not a Backlog, a plugin's backlog:
// each such reply is dropped (with a log line), and the replies after it still get through.
TEST_F(FrontDoorTest, RepliesWithBadOrNoBacklogAreDroppedAndOthersStillFlow) {
  ASSERT_TRUE(eventually([&] { return gateway_.has_orphan_sink(); }));
  app_->text({"SET", "msgbus.backlog.u-bad",
              std::string("\x0a\x05"
                          "ab",
                          4)});  // truncated field
  app_->text({"SET", "msgbus.backlog.u-noret", encode_backlog("u-noret", "x", "", 60)});
  rmb::Backlog plugin;
  plugin.set_uid("u-plugin");
  plugin.set_reply_to("mixed-ret");
  plugin.set_module("rmb");
  app_->text({"SET", "msgbus.backlog.u-plugin", plugin.SerializeAsString()});
  app_->lpush("msgbus.backlog.u-list", "not a string");
  app_->text({"SET", "msgbus.backlog.u-good", encode_backlog("u-good", "good", "mixed-ret", 60)});
  for (const char* uid : {"u-bad", "u-noret", "u-plugin", "u-list", "u-missing"})
    gateway_.orphan(late_reply(uid, 55, uid));
  gateway_.orphan(late_reply("u-good", 55, "fine"));
  auto d = parse_d(app_->brpop("mixed-ret"));
  EXPECT_EQ(d.ref, "good");
  EXPECT_EQ(d.dat, b64("fine"));
  // The lookups run in order on one connection: nothing of the dropped ones came first or
  // can still come.
  EXPECT_EQ(app_->integer({"LLEN", "mixed-ret"}), 0);
  EXPECT_EQ(app_->integer({"LLEN", ""}), 0);
}

// At most max_orphan_replies lookups wait at once: with Redis frozen (SIGSTOP), the first
// is queued and the next two are refused; once Redis runs again the first is routed, and a
// later one arrives right after it (FIFO: the refused ones never come).
TEST_F(FrontDoorTest, BacklogLookupsAreBounded) {
  door_.reset();
  RedisFrontDoorOptions options;
  options.url = url_;
  options.max_orphan_replies = 1;
  auto d = start_redis_front_door(options, gateway_, gateway_);
  ASSERT_TRUE(d.ok()) << d.status();
  door_ = std::move(*d);
  ASSERT_TRUE(eventually([&] { return gateway_.has_orphan_sink(); }));
  for (const char* uid : {"b1", "b2", "b3", "b4"}) {
    app_->text({"SET", absl::StrCat("msgbus.backlog.", uid), encode_backlog(uid, uid, "bounded", 60)});
  }
  long long pid = app_->server_pid();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(static_cast<pid_t>(pid), SIGSTOP), 0);
  for (const char* uid : {"b1", "b2", "b3"}) gateway_.orphan(late_reply(uid, 55, uid));
  gateway_.sync();  // all three were offered
  ::kill(static_cast<pid_t>(pid), SIGCONT);
  EXPECT_EQ(parse_d(app_->brpop("bounded")).ref, "b1");
  gateway_.orphan(late_reply("b4", 55, "b4"));
  EXPECT_EQ(parse_d(app_->brpop("bounded")).ref, "b4");
  EXPECT_EQ(app_->integer({"LLEN", "bounded"}), 0);
}

// stop() keeps what is in flight recorded (as a SIGKILL would): the next start on the same
// Redis sends it again under the same uid and timestamp, only to the destinations whose
// answers did not reach `ret`, and each destination's answer arrives once.
TEST_F(FrontDoorTest, RequestsInFlightAtStopAreSentAgainAfterARestart) {
  for (int i = 0; i < 3; ++i) {
    app_->lpush("msgbus.system.local",
                request_json(absl::StrCat("h", i), {LoopbackGateway::kHeld}, "again", absl::StrCat(i)));
  }
  app_->lpush("msgbus.system.local", request_json("fan", {55, LoopbackGateway::kHeld}, "again-fan"));
  ASSERT_TRUE(gateway_.wait_requests(4));
  EXPECT_EQ(parse_d(app_->brpop("again-fan")).src, "55");
  auto first = gateway_.requests();
  door_->stop();
  EXPECT_EQ(app_->integer({"HLEN", "msgbus.system.inflight"}), 5);  // 4 records + 55's answered marker

  open_door(url_);
  ASSERT_TRUE(gateway_.wait_requests(8));
  auto all = gateway_.requests();
  std::map<std::string, gateway::OutgoingRequest> again;
  for (size_t i = 4; i < all.size(); ++i) again[all[i].uid.value_or("")] = all[i];
  for (const auto& before : first) {
    ASSERT_EQ(again.count(before.uid.value_or("")), 1u) << "not sent again: " << before.uid.value_or("");
    const auto& after = again[*before.uid];
    EXPECT_EQ(after.timestamp, before.timestamp);
    EXPECT_EQ(after.expiration, before.expiration);
    EXPECT_EQ(after.data, before.data);
    ASSERT_EQ(after.destinations.size(), 1u);  // the fan-out's 55 answered already
    EXPECT_EQ(after.destinations[0].twin, LoopbackGateway::kHeld);
  }
  gateway_.release_held();  // the first run's held requests were cancelled by stop()
  std::set<std::string> refs;
  for (int i = 0; i < 3; ++i) refs.insert(parse_d(app_->brpop("again")).ref.value_or("?"));
  EXPECT_EQ(refs, (std::set<std::string>{"h0", "h1", "h2"}));
  auto held = parse_d(app_->brpop("again-fan"));
  EXPECT_EQ(held.src, std::to_string(LoopbackGateway::kHeld));
  EXPECT_EQ(held.ref, "fan");
  EXPECT_TRUE(eventually([&] { return app_->integer({"EXISTS", "msgbus.system.inflight"}) == 0; }));
  EXPECT_EQ(app_->integer({"LLEN", "again"}), 0);
  EXPECT_EQ(app_->integer({"LLEN", "again-fan"}), 0);
}

// What a peer killed between its pop and its record leaves on the processing lists (popped,
// never sent) is taken up at the next start: the request is sent, the response handed over.
TEST_F(FrontDoorTest, ProcessingListsLeftByADeadPeerAreTakenUp) {
  door_->stop();
  app_->lpush("msgbus.system.local.processing", request_json("left", {55}, "left-ret"));
  app_->lpush("msgbus.system.reply.processing",
              R"({"ver":1,"ref":"remote-left","dat":"b2s=","dst":"42","shm":null,"now":0,"err":null})");
  open_door(url_);
  EXPECT_EQ(parse_d(app_->brpop("left-ret")).ref, "left");
  EXPECT_TRUE(eventually([&] { return gateway_.foreign_replies().size() == 1; }));
  EXPECT_EQ(gateway_.foreign_replies().at(0).first, "remote-left");
  EXPECT_TRUE(eventually([&] {
    return app_->integer({"LLEN", "msgbus.system.local.processing"}) == 0 &&
           app_->integer({"LLEN", "msgbus.system.reply.processing"}) == 0;
  }));
}

// Two rmb-peers sharing a Redis database keep their own state apart (--instance-like name).
TEST_F(FrontDoorTest, InstanceNameSuffixesTheStateKeys) {
  door_.reset();
  RedisFrontDoorOptions options;
  options.url = url_;
  options.instance = "b";
  auto d = start_redis_front_door(options, gateway_, gateway_);
  ASSERT_TRUE(d.ok()) << d.status();
  door_ = std::move(*d);
  app_->lpush("msgbus.system.local", request_json("inst", {LoopbackGateway::kHeld}, "inst-ret"));
  ASSERT_TRUE(gateway_.wait_requests(1));
  EXPECT_TRUE(eventually([&] { return app_->integer({"HLEN", "msgbus.system.inflight.b"}) == 1; }));
  EXPECT_EQ(app_->integer({"EXISTS", "msgbus.system.inflight"}), 0);
}

// An incoming request reaches msgbus.<cmd> once per (source, uid), also when it comes again
// after this peer restarted (its gateway no longer knows the uid); once the app answered,
// a repeat gets that answer again without reaching the app.
TEST_F(FrontDoorTest, IncomingRequestDeliveredOnceAcrossRestartsAndARepeatGetsTheAnswerAgain) {
  gateway::IncomingRequest in;
  in.uid = "dup-1";
  in.source = {9, std::string("s")};
  in.command = "dup.cmd";
  in.data = "d";
  in.timestamp = core::unix_now();
  in.expiration = 60;
  ASSERT_TRUE(gateway_.fallback()->offer(in));
  auto b = parse_incoming_request(app_->brpop("msgbus.dup.cmd").value_or(""));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->ref, "dup-1");
  open_door(url_);                              // a restart
  ASSERT_TRUE(gateway_.fallback()->offer(in));  // not delivered again
  // Writes go through one FIFO: once a later request arrived, the repeat was looked at
  // (before the answer below exists).
  gateway::IncomingRequest later = in;
  later.uid = "later-1";
  later.command = "dup.later";
  ASSERT_TRUE(gateway_.fallback()->offer(later));
  ASSERT_TRUE(app_->brpop("msgbus.dup.later"));
  app_->lpush("msgbus.system.reply",
              R"({"ver":1,"ref":"dup-1","dat":"YW5zd2Vy","dst":"9:s","shm":null,"now":0,"err":null})");
  ASSERT_TRUE(eventually([&] { return gateway_.foreign_replies().size() == 1; }));
  ASSERT_TRUE(eventually([&] { return app_->get("msgbus.system.seen.9:s.dup-1").value_or("").size() > 0; }));
  ASSERT_TRUE(gateway_.fallback()->offer(in));  // answered again
  ASSERT_TRUE(eventually([&] { return gateway_.foreign_replies().size() >= 2; }));
  auto replies = gateway_.foreign_replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].first, "dup-1");
  EXPECT_EQ(replies[1].second.data, "answer");
  EXPECT_EQ(app_->integer({"LLEN", "msgbus.dup.cmd"}), 0);
  long long ttl = app_->integer({"TTL", "msgbus.system.seen.9:s.dup-1"});
  EXPECT_GT(ttl, 60);
  EXPECT_LE(ttl, 120);
  // A sender's clock far ahead does not keep the key longer than any request lives.
  gateway::IncomingRequest ahead = in;
  ahead.uid = "ahead-1";
  ahead.timestamp = core::unix_now() + 1000000;
  ASSERT_TRUE(gateway_.fallback()->offer(ahead));
  ASSERT_TRUE(app_->brpop("msgbus.dup.cmd"));
  EXPECT_LE(app_->integer({"TTL", "msgbus.system.seen.9:s.ahead-1"}), 1860);
}

// Someone made the state keys something else: logged, and requests are still answered
// (without the restart safety).
TEST_F(FrontDoorTest, StateKeysOfTheWrongTypeDoNotStopRequests) {
  door_->stop();
  app_->text({"SET", "msgbus.system.inflight", "not a hash"});
  app_->text({"SET", "msgbus.system.reply.processing", "not a list"});
  open_door(url_);
  app_->lpush("msgbus.system.local", request_json("wrongtype", {55}, "wt-ret"));
  EXPECT_EQ(parse_d(app_->brpop("wt-ret")).ref, "wrongtype");
}

}  // namespace
}  // namespace rmb::compat
