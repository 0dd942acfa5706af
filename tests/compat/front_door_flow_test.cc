// The Redis front door's flow against a real redis-server and a test-local gateway: every
// shape on the real lists, fan-out with an unknown twin, errors for requests that cannot be
// sent, garbage on the queues, concurrency, order, batches and the lists' cap.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/shapes.h"
#include "core/util/clock.h"
#include "rmb/peer.pb.h"
#include "tests/compat/front_door_fixture.h"

namespace rmb::compat {
namespace {

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
  app_->lpush("msgbus.system.local", request_json("r1", {FakeTwin::kSelf}, "caller-1", "[1,2]", "calc.add"));
  auto d = parse_d(app_->brpop("caller-1"));
  worker.join();
  EXPECT_EQ(d.ref, "r1");
  EXPECT_EQ(d.src, "7");
  EXPECT_EQ(d.dat, b64("3"));
  EXPECT_FALSE(d.err);
}

TEST_F(FrontDoorTest, FanOutWithOneUnknownDestinationAndBacklog) {
  app_->lpush("msgbus.system.local",
              request_json("fan", {55, FakeTwin::kUnknown, FakeTwin::kRelayError, FakeTwin::kHeld}, "fan-ret"));
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
  const std::string uid = gateway_.sent().at(0).request.uid.value_or("");
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
  EXPECT_EQ(parse_d(app_->brpop("fan-ret")).src, std::to_string(FakeTwin::kHeld));
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
  EXPECT_EQ(gateway_.sent().size(), 0u);  // none reached the gateway
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
  ASSERT_TRUE(gateway_.wait_replied(2));
  auto replies = gateway_.replied();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].uid, "remote-1");
  ASSERT_TRUE(replies[0].reply.error);
  EXPECT_EQ(replies[0].reply.error->code, 500u);
  EXPECT_EQ(replies[1].uid, "remote-2");
  EXPECT_EQ(replies[1].reply.data, "ok");
  EXPECT_FALSE(replies[1].reply.error);
}

TEST_F(FrontDoorTest, ManyRequestsInFlightAtOnce) {
  // Held requests are answered only after all 64 reached the gateway: the pop loop must not
  // wait for answers.
  for (int i = 0; i < 64; ++i) {
    app_->lpush("msgbus.system.local", request_json(absl::StrCat("h", i), {FakeTwin::kHeld}, "held", absl::StrCat(i)));
  }
  ASSERT_TRUE(gateway_.wait_sent(64));
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

// The calls of `command` Redis counted (INFO commandstats), 0 when none.
long long calls_of(RedisClient& app, const std::string& command) {
  std::string stats = app.text({"INFO", "commandstats"}).value_or("");
  std::string key = absl::StrCat("cmdstat_", command, ":calls=");
  auto at = stats.find(key);
  return at == std::string::npos ? 0 : std::stoll(stats.substr(at + key.size()));
}

// Requests waiting in the queue when the door opens are taken in batches (one pop round
// trip serves many): each is answered once and in order, with far fewer blocking pops than
// requests.
TEST_F(FrontDoorTest, RequestsWaitingInTheQueueArePoppedInBatches) {
  door_->stop();
  constexpr int kN = 300;
  for (int i = 0; i < kN; ++i) app_->lpush("msgbus.system.local", request_json(absl::StrCat("w", i), {55}, "batched"));
  open_door(url_);
  for (int i = 0; i < kN; ++i) EXPECT_EQ(parse_d(app_->brpop("batched")).ref, absl::StrCat("w", i));
  EXPECT_EQ(app_->integer({"LLEN", "batched"}), 0);
  EXPECT_EQ(app_->integer({"LLEN", "msgbus.system.local.processing"}), 0);
  // Each record is deleted after its answer is pushed (the same FIFO, maybe a later pipeline).
  EXPECT_TRUE(eventually([&] { return app_->integer({"HLEN", "msgbus.system.inflight"}) == 0; }));
  EXPECT_GT(calls_of(*app_, "lmove"), 0);
  // Two loops' idle pops (one a second each) and a few for the batches, not one per request.
  EXPECT_LT(calls_of(*app_, "blmove"), kN / 4);
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
  ASSERT_TRUE(eventually([&] {
    auto all = app_->lrange("msgbus.cap");
    return !all.empty() && parse_incoming_request(all.front())->ref == "10049";
  }));
  EXPECT_EQ(app_->integer({"LLEN", "msgbus.cap"}), 10000);
  EXPECT_EQ(parse_incoming_request(*app_->brpop("msgbus.cap"))->ref, "50");
}

}  // namespace
}  // namespace rmb::compat
