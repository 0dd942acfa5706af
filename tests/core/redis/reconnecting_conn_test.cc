// core::ReconnectingRedis and core::RedisOutageLog against a real redis-server that is
// killed and restarted: the backoff between attempts grows to its bound and no further, and
// an outage of several connections is logged once, its end once every one of them is back.
#include "core/redis/reconnecting_conn.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "core/redis/redis_url.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::core {
namespace {

using std::chrono::milliseconds;
using Clock = ReconnectingRedis::Clock;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

RedisUrl url_of(const test::RedisServer& redis) {
  auto url = parse_redis_url(redis.url());
  EXPECT_TRUE(url.ok()) << url.status();
  return *url;
}

// Attempts until one succeeds, each once it is due (the link says when).
RedisConn* connect_when_due(ReconnectingRedis& link) {
  return test::poll_until(
      [&] {
        std::this_thread::sleep_until(link.next_attempt());
        return link.connect_if_due();
      },
      [](RedisConn* c) { return c != nullptr; }, milliseconds(10000), milliseconds(0));
}

TEST(ReconnectingRedis, BackoffDoublesUpToItsBound) {
  block_sigpipe_in_this_thread();  // writes to a killed server must fail, not kill the test
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  const RedisUrl url = url_of(**redis);
  (*redis)->kill();  // nothing answers on the port now

  RedisOutageLog log("test redis", "retrying");
  ReconnectingRedis link(url, "one", milliseconds(500), {milliseconds(40), milliseconds(160)}, log);
  const milliseconds expected[] = {milliseconds(40), milliseconds(80), milliseconds(160), milliseconds(160)};
  for (milliseconds delay : expected) {
    std::this_thread::sleep_until(link.next_attempt());
    const auto before = Clock::now();
    EXPECT_EQ(link.connect_if_due(), nullptr);
    const auto after = Clock::now();
    EXPECT_FALSE(link.up());
    EXPECT_GE(link.next_attempt(), before + delay);
    EXPECT_LE(link.next_attempt(), after + delay);
    // Not due yet: no attempt, the schedule stays.
    const auto scheduled = link.next_attempt();
    EXPECT_EQ(link.connect_if_due(), nullptr);
    EXPECT_EQ(link.next_attempt(), scheduled);
  }

  // Back to the first delay once a connection was made.
  ASSERT_TRUE((*redis)->restart().ok());
  ASSERT_NE(connect_when_due(link), nullptr);
  EXPECT_TRUE(link.up());
  (*redis)->kill();
  const auto before = Clock::now();
  link.broken(absl::UnavailableError("gone"));
  EXPECT_EQ(link.get(), nullptr);
  EXPECT_FALSE(link.up());
  EXPECT_GE(link.next_attempt(), before + milliseconds(40));
  EXPECT_LE(link.next_attempt(), Clock::now() + milliseconds(40));
}

TEST(ReconnectingRedis, OneOutageOfTwoConnectionsIsLoggedOnceAndEndsWhenBothAreBack) {
  block_sigpipe_in_this_thread();  // writes to a killed server must fail, not kill the test
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  const RedisUrl url = url_of(**redis);
  RedisOutageLog log("test redis " + url.display(), "retrying soon");
  const RedisBackoff backoff{milliseconds(10), milliseconds(50)};
  ReconnectingRedis a(url, "a", milliseconds(500), backoff, log);
  ReconnectingRedis b(url, "b", milliseconds(500), backoff, log);

  testing::internal::CaptureStderr();
  ASSERT_NE(a.connect_if_due(), nullptr);
  ASSERT_NE(b.connect_if_due(), nullptr);
  for (int outage = 0; outage < 2; ++outage) {
    (*redis)->kill();
    auto ping = a.get()->command({"PING"});
    ASSERT_FALSE(ping.ok());
    a.broken(ping.status());
    ping = b.get()->command({"PING"});
    ASSERT_FALSE(ping.ok());
    b.broken(ping.status());
    // Attempts while it is down add nothing to the log.
    std::this_thread::sleep_until(a.next_attempt());
    EXPECT_EQ(a.connect_if_due(), nullptr);

    ASSERT_TRUE((*redis)->restart().ok());
    ASSERT_NE(connect_when_due(a), nullptr);
    const std::string one_back = testing::internal::GetCapturedStderr();
    EXPECT_EQ(count(one_back, "unavailable ("), 1u) << one_back;
    EXPECT_EQ(count(one_back, "); retrying soon"), 1u) << one_back;
    EXPECT_EQ(count(one_back, "reachable again"), 0u) << one_back;  // b is still down

    testing::internal::CaptureStderr();
    ASSERT_NE(connect_when_due(b), nullptr);
    const std::string both_back = testing::internal::GetCapturedStderr();
    EXPECT_EQ(count(both_back, "test redis " + url.display() + " reachable again"), 1u) << both_back;
    EXPECT_EQ(count(both_back, "unavailable"), 0u) << both_back;
    testing::internal::CaptureStderr();  // the next outage is logged again
  }
  (void)testing::internal::GetCapturedStderr();
}

TEST(ReconnectingRedis, AFailingOnConnectHookIsAFailedAttempt) {
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  int calls = 0;
  RedisOutageLog log("test redis", "retrying");
  ReconnectingRedis link(url_of(**redis), "hooked", milliseconds(500), {milliseconds(10), milliseconds(10)}, log,
                         [&](RedisConn& conn) {
                           ++calls;
                           auto id = conn.command({"CLIENT", "ID"});
                           if (!id.ok()) return id.status();
                           return calls == 1 ? absl::UnavailableError("hook says no") : absl::OkStatus();
                         });
  EXPECT_EQ(link.connect_if_due(), nullptr);
  EXPECT_FALSE(link.up());
  EXPECT_EQ(link.get(), nullptr);
  RedisConn* conn = connect_when_due(link);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(link.up());
  auto pong = conn->command({"PING"});
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(std::string((*pong)->str, (*pong)->len), "PONG");
  link.close();
  EXPECT_FALSE(link.up());
  EXPECT_EQ(link.get(), nullptr);
}

}  // namespace
}  // namespace rmb::core
