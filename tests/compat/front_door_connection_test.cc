// The Redis front door's connection to Redis: redis-server killed and restarted with
// requests in flight or before any came, stop(), and the URL forms (password and database,
// unix socket).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/shapes.h"
#include "tests/compat/front_door_fixture.h"

namespace rmb::compat {
namespace {

TEST_F(FrontDoorTest, RedisKilledAndRestartedEveryPoppedRequestIsAnswered) {
  constexpr int kN = 200;
  for (int i = 0; i < kN; ++i) {
    app_->lpush("msgbus.system.local",
                request_json(absl::StrCat("k", i), {FakeTwin::kHeld}, "survive", absl::StrCat(i)));
  }
  ASSERT_TRUE(gateway_.wait_sent(kN));  // all popped and sent
  redis_->kill();
  gateway_.release_held();
  // The answers arrive during the outage: the fake has handed every one to the front door
  // (which queues it for Redis) before Redis comes back.
  ASSERT_TRUE(gateway_.sync());
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
  // First a round trip: the door is popping when Redis dies. On a list of its own: an answer
  // whose LPUSH Redis applied but had not acknowledged when it died is pushed again after
  // the restart (compat/pusher.h), and must not be taken for the answer awaited below.
  app_->lpush("msgbus.system.local", request_json("before", {55}, "before-ret"));
  ASSERT_EQ(parse_d(app_->brpop("before-ret")).ref, "before");
  redis_->kill();
  // Not a wait for an event: this is the outage the test is about, and its length is the
  // point. Nothing outside the door shows the pop loop noticing; 1500 ms is long enough for
  // its pop to fail and for several reconnects to be refused (core::RedisBackoff: 50 ms,
  // doubling), so that the restart below meets a loop that is backing off.
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(redis_->restart().ok());
  app_ = RedisClient::connect(url_);
  app_->lpush("msgbus.system.local", request_json("late", {55}, "late-ret"));
  EXPECT_EQ(parse_d(app_->brpop("late-ret")).ref, "late");
}

TEST_F(FrontDoorTest, StopCancelsWhatIsInFlightAndReturns) {
  for (int i = 0; i < 5; ++i) app_->lpush("msgbus.system.local", request_json(absl::StrCat(i), {FakeTwin::kHeld}, "x"));
  ASSERT_TRUE(gateway_.wait_sent(5));
  door_->stop();
  EXPECT_EQ(gateway_.cancelled().size(), 5u);
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
  app_->lpush("msgbus.system.local", request_json("held", {FakeTwin::kHeld}, "pw-ret"));
  ASSERT_TRUE(gateway_.wait_sent(2));
  const std::string backlog = "msgbus.backlog." + gateway_.sent().at(1).request.uid.value_or("");
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

}  // namespace
}  // namespace rmb::compat
