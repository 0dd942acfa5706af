// What the Redis front door keeps in Redis across restarts: replies for no pending request
// routed through their backlogs (and their bound), requests in flight or popped and not sent
// when a peer stopped or died, instance names, incoming requests delivered once, and state
// keys of the wrong type.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/shapes.h"
#include "core/util/clock.h"
#include "tests/compat/front_door_fixture.h"

#include <signal.h>

#include "rmb/peer.pb.h"

namespace rmb::compat {
namespace {

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
    app_->lpush("msgbus.system.local", request_json(absl::StrCat("h", i), {FakeTwin::kHeld}, "again", absl::StrCat(i)));
  }
  app_->lpush("msgbus.system.local", request_json("fan", {55, FakeTwin::kHeld}, "again-fan"));
  ASSERT_TRUE(gateway_.wait_sent(4));
  EXPECT_EQ(parse_d(app_->brpop("again-fan")).src, "55");
  auto first = gateway_.sent();
  door_->stop();
  EXPECT_EQ(app_->integer({"HLEN", "msgbus.system.inflight"}), 5);  // 4 records + 55's answered marker

  open_door(url_);
  ASSERT_TRUE(gateway_.wait_sent(8));
  auto all = gateway_.sent();
  std::map<std::string, gateway::OutgoingRequest> again;
  for (size_t i = 4; i < all.size(); ++i) again[all[i].request.uid.value_or("")] = all[i].request;
  for (const auto& before : first) {
    ASSERT_EQ(again.count(before.request.uid.value_or("")), 1u)
        << "not sent again: " << before.request.uid.value_or("");
    const auto& after = again[*before.request.uid];
    EXPECT_EQ(after.timestamp, before.request.timestamp);
    EXPECT_EQ(after.expiration, before.request.expiration);
    EXPECT_EQ(after.data, before.request.data);
    ASSERT_EQ(after.destinations.size(), 1u);  // the fan-out's 55 answered already
    EXPECT_EQ(after.destinations[0].twin, FakeTwin::kHeld);
  }
  gateway_.release_held();  // the first run's held requests were cancelled by stop()
  std::set<std::string> refs;
  for (int i = 0; i < 3; ++i) refs.insert(parse_d(app_->brpop("again")).ref.value_or("?"));
  EXPECT_EQ(refs, (std::set<std::string>{"h0", "h1", "h2"}));
  auto held = parse_d(app_->brpop("again-fan"));
  EXPECT_EQ(held.src, std::to_string(FakeTwin::kHeld));
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
  EXPECT_TRUE(eventually([&] { return gateway_.replied().size() == 1; }));
  EXPECT_EQ(gateway_.replied().at(0).uid, "remote-left");
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
  app_->lpush("msgbus.system.local", request_json("inst", {FakeTwin::kHeld}, "inst-ret"));
  ASSERT_TRUE(gateway_.wait_sent(1));
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
  ASSERT_TRUE(eventually([&] { return gateway_.replied().size() == 1; }));
  ASSERT_TRUE(eventually([&] { return app_->get("msgbus.system.seen.9:s.dup-1").value_or("").size() > 0; }));
  ASSERT_TRUE(gateway_.fallback()->offer(in));  // answered again
  ASSERT_TRUE(eventually([&] { return gateway_.replied().size() >= 2; }));
  auto replies = gateway_.replied();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].uid, "dup-1");
  EXPECT_EQ(replies[1].reply.data, "answer");
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
