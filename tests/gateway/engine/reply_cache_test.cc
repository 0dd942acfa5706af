#include "gateway/engine/reply_cache.h"

#include <gtest/gtest.h>

namespace rmb::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = ReplyCache::Clock;

ReplyCache::Frame frame(size_t bytes, char fill = 'x') { return std::make_shared<const std::string>(bytes, fill); }

const auto t0 = Clock::time_point{} + 1000s;

TEST(ReplyCache, KeepsAReplyUntilItsRequestExpires) {
  ReplyCache cache(10, 1000);
  cache.put("7/a", frame(10), t0 + 30s, t0);
  ASSERT_NE(cache.get("7/a", t0 + 29s), nullptr);
  EXPECT_EQ(*cache.get("7/a", t0 + 29s), std::string(10, 'x'));
  EXPECT_EQ(cache.get("7/a", t0 + 30s), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.get("7/b", t0), nullptr);
}

TEST(ReplyCache, AFullCacheForgetsTheReplyThatExpiresFirst) {
  ReplyCache cache(2, 1000);
  cache.put("late", frame(1), t0 + 100s, t0);
  cache.put("early", frame(1), t0 + 10s, t0);
  cache.put("new", frame(1), t0 + 50s, t0);
  EXPECT_EQ(cache.get("early", t0), nullptr);
  EXPECT_NE(cache.get("late", t0), nullptr);
  EXPECT_NE(cache.get("new", t0), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ReplyCache, BytesAreBoundedToo) {
  ReplyCache cache(100, 100);
  cache.put("a", frame(40), t0 + 10s, t0);
  cache.put("b", frame(40), t0 + 20s, t0);
  EXPECT_EQ(cache.bytes(), 80u);
  cache.put("c", frame(40), t0 + 30s, t0);  // 120 > 100: "a" (first to expire) goes
  EXPECT_EQ(cache.get("a", t0), nullptr);
  EXPECT_EQ(cache.bytes(), 80u);
  // A reply larger than the whole bound is not kept, and evicts nothing.
  cache.put("huge", frame(101), t0 + 40s, t0);
  EXPECT_EQ(cache.get("huge", t0), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ReplyCache, ANewerReplyForTheSameRequestReplacesTheOlder) {
  ReplyCache cache(10, 1000);
  cache.put("k", frame(10, 'a'), t0 + 10s, t0);
  cache.put("k", frame(20, 'b'), t0 + 5s, t0);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 20u);
  EXPECT_EQ(*cache.get("k", t0), std::string(20, 'b'));
  EXPECT_EQ(cache.get("k", t0 + 5s), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ReplyCache, ZeroEntriesKeepsNothing) {
  ReplyCache cache(0, 1000);
  cache.put("k", frame(1), t0 + 10s, t0);
  EXPECT_EQ(cache.get("k", t0), nullptr);
}

}  // namespace
}  // namespace rmb::gateway
