// RedisMailbox against a real redis-server: rmb-rs layout, order, deletes, expiry,
// back-pressure, two relay processes sharing one Redis, and a Redis restart.
#include "relay/mailbox/redis.h"

#include <gtest/gtest.h>

#include <future>

#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "tests/support/mailbox_sink.h"
#include "tests/support/redis_server.h"

namespace rmb::relay {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::frame_of;
using test::make_envelope;
using test::RecordingSink;

class RedisMailboxTest : public ::testing::Test {
 protected:
  std::unique_ptr<RedisMailbox> mailbox(std::chrono::milliseconds sample = 5000ms) {
    RedisMailboxOptions opt;
    opt.url = server->url();
    opt.depth_sample_interval = sample;
    auto m = RedisMailbox::create(opt);
    EXPECT_TRUE(m.ok()) << m.status();
    return std::move(*m);
  }

  // Direct access, as redis-cli would see it.
  core::RedisReply cmd(const std::vector<std::string_view>& args) {
    auto url = core::parse_redis_url(server->url());
    auto conn = core::RedisConn::connect(*url, 2000ms);
    EXPECT_TRUE(conn.ok()) << conn.status();
    auto r = (*conn)->command(args);
    EXPECT_TRUE(r.ok()) << r.status();
    return std::move(*r);
  }
  long long xlen(const std::string& key) { return cmd({"XLEN", key})->integer; }

  absl::Status store_sync(Mailbox& m, const SessionId& to, const Frame& f) {
    std::promise<absl::Status> p;
    auto fut = p.get_future();
    m.store(to, f, 0, [&p](absl::Status s) { p.set_value(s); });
    if (fut.wait_for(20s) != std::future_status::ready) return absl::DeadlineExceededError("no done");
    return fut.get();
  }

  std::unique_ptr<test::RedisServer> server = test::RedisServer::start().value();
};

TEST_F(RedisMailboxTest, StreamKeyIsTheRustLayout) {
  EXPECT_EQ(RedisMailbox::stream_key({7, std::nullopt}), "stream:7");
  EXPECT_EQ(RedisMailbox::stream_key({7, "abc"}), "stream:7:abc");
  EXPECT_EQ(RedisMailbox::stream_key({7, ""}), "stream:7:");
}

TEST_F(RedisMailboxTest, StoresInTheExactRustLayout) {
  auto m = mailbox();
  auto e1 = make_envelope("u-plain", 1, 7);
  auto e2 = make_envelope("u-sid", 1, 7);
  ASSERT_TRUE(store_sync(*m, {7, std::nullopt}, frame_of(e1)).ok());
  ASSERT_TRUE(store_sync(*m, {7, "abc"}, frame_of(e2)).ok());

  for (auto [key, env] : {std::pair{"stream:7", &e1}, std::pair{"stream:7:abc", &e2}}) {
    auto r = cmd({"XRANGE", key, "-", "+"});
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << key;
    ASSERT_EQ(r->elements, 1u) << key;
    const redisReply* fields = r->element[0]->element[1];
    ASSERT_EQ(fields->elements, 2u);  // exactly one field
    EXPECT_EQ(std::string(fields->element[0]->str, fields->element[0]->len), "_");
    EXPECT_EQ(std::string(fields->element[1]->str, fields->element[1]->len), env->SerializeAsString());
    auto ttl = cmd({"TTL", key})->integer;
    EXPECT_GT(ttl, 3500);
    EXPECT_LE(ttl, 3600);
    EXPECT_EQ(std::string(cmd({"TYPE", key})->str), "stream");
  }
}

TEST_F(RedisMailboxTest, AttachDeliversEverythingQueuedInOrderThenDeletes) {
  auto m = mailbox();
  SessionId id{7, std::nullopt};
  std::vector<std::string> sent;
  for (int i = 0; i < 300; ++i) {  // more than one XREAD COUNT 100 and one XDEL batch
    auto e = make_envelope("m" + std::to_string(i), 1, 7);
    sent.push_back(e.uid());
    ASSERT_TRUE(store_sync(*m, id, frame_of(e)).ok());
  }
  EXPECT_EQ(xlen("stream:7"), 300);
  auto sink = std::make_shared<RecordingSink>();
  m->attach(id, sink);
  ASSERT_TRUE(eventually([&] { return sink->count() >= 300; }));
  EXPECT_EQ(sink->uids(), sent);
  EXPECT_TRUE(eventually([&] { return xlen("stream:7") == 0; })) << xlen("stream:7");

  // Live: stored after attach, delivered without a new attach; bytes unchanged.
  auto live = make_envelope("live", 1, 7);
  ASSERT_TRUE(store_sync(*m, id, frame_of(live)).ok());
  ASSERT_TRUE(eventually([&] { return sink->count() == 301; }));
  EXPECT_EQ(sink->frames().back(), live.SerializeAsString());
  m->detach(id, sink.get());
}

// Issue 11 (§5.7 step 4): an entry is deleted once the session confirms its frame was
// written, not when it is offered; unconfirmed ones come back in order on the next attach.
TEST_F(RedisMailboxTest, OnlyWrittenFramesAreDeletedTheRestComesBackInOrder) {
  auto m = mailbox();
  SessionId id{16, std::nullopt};
  std::vector<std::string> sent;
  for (int i = 0; i < 5; ++i) {
    auto e = make_envelope("w" + std::to_string(i), 1, 16);
    sent.push_back(e.uid());
    ASSERT_TRUE(store_sync(*m, id, frame_of(e)).ok());
  }
  auto first = std::make_shared<RecordingSink>();
  first->hold(true);
  first->accept(3);
  m->attach(id, first);
  ASSERT_TRUE(eventually([&] { return first->count() == 3 && first->refusals() >= 1; }));
  first->confirm_held();  // w0..w2 written
  EXPECT_TRUE(eventually([&] { return xlen("stream:16") == 2; })) << xlen("stream:16");

  first->accept(-1);
  m->resume(id);
  ASSERT_TRUE(eventually([&] { return first->count() == 5; }));
  // w3, w4 offered, still queued in the session when it ends: not written, not deleted.
  m->detach(id, first.get());
  first->drop_held();
  EXPECT_EQ(xlen("stream:16"), 2);

  auto second = std::make_shared<RecordingSink>();
  m->attach(id, second);
  ASSERT_TRUE(eventually([&] { return second->count() == 2; }));
  EXPECT_EQ(second->uids(), (std::vector<std::string>{"w3", "w4"}));
  EXPECT_TRUE(eventually([&] { return xlen("stream:16") == 0; }));
}

TEST_F(RedisMailboxTest, SessionsAreExact) {
  auto m = mailbox();
  auto plain = std::make_shared<RecordingSink>();
  auto with_sid = std::make_shared<RecordingSink>();
  m->attach({7, "abc"}, with_sid);
  ASSERT_TRUE(store_sync(*m, {7, std::nullopt}, frame_of(make_envelope("to-7", 1, 7))).ok());
  ASSERT_TRUE(store_sync(*m, {7, "abc"}, frame_of(make_envelope("to-7-abc", 1, 7))).ok());
  ASSERT_TRUE(eventually([&] { return with_sid->count() == 1; }));
  EXPECT_EQ(with_sid->uids()[0], "to-7-abc");
  m->attach({7, std::nullopt}, plain);
  ASSERT_TRUE(eventually([&] { return plain->count() == 1; }));
  EXPECT_EQ(plain->uids()[0], "to-7");
  EXPECT_EQ(with_sid->count(), 1u);
}

TEST_F(RedisMailboxTest, ExpiredEntriesAreDeletedNotDelivered) {
  auto m = mailbox();
  SessionId id{8, std::nullopt};
  ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("old", 1, 8, /*age=*/100, /*exp=*/10))).ok());
  ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("fresh", 1, 8))).ok());
  ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("old2", 1, 8, 4000, 3600))).ok());
  EXPECT_EQ(xlen("stream:8"), 3);
  auto sink = std::make_shared<RecordingSink>();
  m->attach(id, sink);
  ASSERT_TRUE(eventually([&] { return sink->count() == 1 && xlen("stream:8") == 0; }));
  EXPECT_EQ(sink->uids(), std::vector<std::string>{"fresh"});
}

TEST_F(RedisMailboxTest, RefusingSinkKeepsTheRestUntilResume) {
  auto m = mailbox();
  SessionId id{9, "s"};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("r" + std::to_string(i), 1, 9))).ok());
  }
  auto sink = std::make_shared<RecordingSink>();
  sink->accept(2);
  m->attach(id, sink);
  ASSERT_TRUE(eventually([&] { return sink->count() == 2 && sink->refusals() >= 1; }));
  EXPECT_TRUE(eventually([&] { return xlen("stream:9:s") == 3; }));
  // Stored while refused: queued, not offered.
  ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("r5", 1, 9))).ok());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(sink->count(), 2u);
  EXPECT_EQ(sink->refusals(), 1);
  sink->accept(-1);
  m->resume(id);
  ASSERT_TRUE(eventually([&] { return sink->count() == 6; }));
  EXPECT_EQ(sink->uids(), (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4", "r5"}));
  EXPECT_TRUE(eventually([&] { return xlen("stream:9:s") == 0; }));
}

TEST_F(RedisMailboxTest, DetachStopsOfferingAndReattachGetsTheRest) {
  auto m = mailbox();
  SessionId id{10, std::nullopt};
  auto first = std::make_shared<RecordingSink>();
  m->attach(id, first);
  m->detach(id, first.get());
  ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("while-away", 1, 10))).ok());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(first->count(), 0u);
  EXPECT_EQ(xlen("stream:10"), 1);
  auto second = std::make_shared<RecordingSink>();
  m->attach(id, second);
  ASSERT_TRUE(eventually([&] { return second->count() == 1; }));
  // detach with a stale sink pointer is a no-op.
  m->detach(id, first.get());
  ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("after", 1, 10))).ok());
  ASSERT_TRUE(eventually([&] { return second->count() == 2; }));
}

TEST_F(RedisMailboxTest, TwoRelayProcessesShareOneRedis) {
  auto a = mailbox();
  auto b = mailbox();
  auto sink = std::make_shared<RecordingSink>();
  a->attach({11, std::nullopt}, sink);
  ASSERT_TRUE(store_sync(*b, {11, std::nullopt}, frame_of(make_envelope("via-b", 1, 11))).ok());
  ASSERT_TRUE(eventually([&] { return sink->count() == 1; }));
  EXPECT_EQ(sink->uids()[0], "via-b");
  EXPECT_TRUE(eventually([&] { return xlen("stream:11") == 0; }));
}

TEST_F(RedisMailboxTest, DeliversWhatARustRelayWrote) {
  // Exactly what rmb-rs's switch sends (§5.7), written with a plain client.
  auto e = make_envelope("from-rust", 3, 12);
  std::string bytes = e.SerializeAsString();
  cmd({"MULTI"});
  cmd({"XADD", "stream:12:con", "MAXLEN", "~", "10000", "*", "_", bytes});
  cmd({"EXPIRE", "stream:12:con", "3600"});
  cmd({"EXEC"});
  // (MULTI above ran on separate connections; each command ran on its own, which is
  // fine for a layout check.)
  ASSERT_EQ(xlen("stream:12:con"), 1);
  auto m = mailbox();
  auto sink = std::make_shared<RecordingSink>();
  m->attach({12, "con"}, sink);
  ASSERT_TRUE(eventually([&] { return sink->count() == 1; }));
  EXPECT_EQ(sink->frames()[0], bytes);
}

TEST_F(RedisMailboxTest, DepthCountsQueuedMail) {
  auto m = mailbox(50ms);
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(store_sync(*m, {13, std::nullopt}, frame_of(make_envelope("d" + std::to_string(i), 1, 13))).ok());
  }
  ASSERT_TRUE(store_sync(*m, {14, "x"}, frame_of(make_envelope("dx", 1, 14))).ok());
  EXPECT_TRUE(eventually([&] { return m->depth() == 8; })) << m->depth();
  auto sink = std::make_shared<RecordingSink>();
  m->attach({13, std::nullopt}, sink);
  EXPECT_TRUE(eventually([&] { return m->depth() == 1; })) << m->depth();
}

TEST_F(RedisMailboxTest, StoreFailsClearlyWhileRedisIsDownAndRecovers) {
  auto m = mailbox();
  SessionId id{15, std::nullopt};
  auto sink = std::make_shared<RecordingSink>();
  m->attach(id, sink);
  ASSERT_TRUE(store_sync(*m, id, frame_of(make_envelope("before", 1, 15))).ok());
  ASSERT_TRUE(eventually([&] { return sink->count() == 1; }));

  server->kill();
  // The first store after the crash may find the dead socket; every store reports an error.
  absl::Status down;
  ASSERT_TRUE(eventually([&] {
    down = store_sync(*m, id, frame_of(make_envelope("lost", 1, 15)));
    return !down.ok();
  }));
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(down.message().find("redis error"), std::string::npos) << down;
  EXPECT_FALSE(m->connected());

  ASSERT_TRUE(server->restart().ok());
  absl::Status up;
  ASSERT_TRUE(eventually(
      [&] {
        up = store_sync(*m, id, frame_of(make_envelope("after", 1, 15)));
        return up.ok();
      },
      30s))
      << up;
  // The reader reconnected too and still serves the attached session.
  ASSERT_TRUE(eventually([&] { return sink->count() >= 2; }, 30s));
  EXPECT_EQ(sink->uids().back(), "after");
  EXPECT_TRUE(m->connected());
}

TEST_F(RedisMailboxTest, BadUrlIsRejected) {
  RedisMailboxOptions opt;
  opt.url = "http://nope";
  auto m = RedisMailbox::create(opt);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rmb::relay
