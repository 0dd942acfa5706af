#include "gateway/engine/pending_table.h"

#include <gtest/gtest.h>

namespace rmb::gateway {
namespace {

core::AddressText addr(uint32_t twin, std::optional<std::string> sid = std::nullopt) {
  return core::AddressText{twin, std::move(sid)};
}

std::shared_ptr<PendingRequest> make(const std::string& uid, std::vector<core::AddressText> dests) {
  auto r = std::make_shared<PendingRequest>();
  r->uid = uid;
  for (auto& d : dests) r->destinations.push_back(PendingDestination{std::move(d), false, false});
  return r;
}

TEST(PendingTable, EachDestinationIsSettledOnceAndTheLastRemovesTheRequest) {
  PendingTable table(10);
  ASSERT_TRUE(table.add(make("u1", {addr(1), addr(2)})).ok());
  EXPECT_EQ(table.size(), 1u);

  auto first = table.claim_reply("u1", addr(2));
  ASSERT_EQ(first.match, PendingTable::Match::kMatched);
  EXPECT_EQ(first.claim->index, 1u);
  EXPECT_FALSE(first.claim->last);

  EXPECT_EQ(table.claim_reply("u1", addr(2)).match, PendingTable::Match::kDuplicate);
  EXPECT_FALSE(table.claim("u1", 1).has_value());

  auto second = table.claim("u1", 0);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->last);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.claim_reply("u1", addr(1)).match, PendingTable::Match::kNoRequest);
}

TEST(PendingTable, RepliesFromTwinsNotAskedAreRefused) {
  PendingTable table(10);
  ASSERT_TRUE(table.add(make("u", {addr(1)})).ok());
  EXPECT_EQ(table.claim_reply("u", addr(99)).match, PendingTable::Match::kNotAsked);
  EXPECT_EQ(table.size(), 1u);
}

TEST(PendingTable, ExactSessionFirstThenTheSameTwin) {
  PendingTable table(10);
  ASSERT_TRUE(table.add(make("u", {addr(5), addr(5, "s")})).ok());
  auto from_session = table.claim_reply("u", addr(5, "s"));
  ASSERT_EQ(from_session.match, PendingTable::Match::kMatched);
  EXPECT_EQ(from_session.claim->index, 1u);
  // A reply from another session of twin 5 answers the remaining destination of twin 5.
  auto other = table.claim_reply("u", addr(5, "x"));
  ASSERT_EQ(other.match, PendingTable::Match::kMatched);
  EXPECT_EQ(other.claim->index, 0u);
  EXPECT_TRUE(other.claim->last);
}

TEST(PendingTable, RelayErrorsSettleTheFirstSentDestination) {
  PendingTable table(10);
  ASSERT_TRUE(table.add(make("u", {addr(1), addr(2), addr(3)})).ok());
  table.mark_sent("u", 1);
  table.mark_sent("u", 2);
  auto relay = table.claim_reply("u", addr(0));
  ASSERT_EQ(relay.match, PendingTable::Match::kMatched);
  EXPECT_EQ(relay.claim->index, 1u);
  relay = table.claim_reply("u", addr(0));
  ASSERT_EQ(relay.match, PendingTable::Match::kMatched);
  EXPECT_EQ(relay.claim->index, 2u);
  // Nothing sent is left: the first unanswered one.
  relay = table.claim_reply("u", addr(0));
  ASSERT_EQ(relay.match, PendingTable::Match::kMatched);
  EXPECT_EQ(relay.claim->index, 0u);
  EXPECT_TRUE(relay.claim->last);
}

TEST(PendingTable, RemoveReturnsTheUnanswered) {
  PendingTable table(10);
  ASSERT_TRUE(table.add(make("u", {addr(1), addr(2), addr(3)})).ok());
  ASSERT_TRUE(table.claim("u", 1).has_value());
  auto removed = table.remove("u");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->unanswered, (std::vector<size_t>{0, 2}));
  EXPECT_FALSE(table.remove("u").has_value());
  EXPECT_FALSE(table.claim("u", 0).has_value());
}

TEST(PendingTable, BoundedAndUidsAreUnique) {
  PendingTable table(2);
  ASSERT_TRUE(table.add(make("a", {addr(1)})).ok());
  EXPECT_EQ(table.add(make("a", {addr(1)})).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(table.add(make("b", {addr(1)})).ok());
  const absl::Status full = table.add(make("c", {addr(1)}));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(table.uids().size(), 2u);
  ASSERT_TRUE(table.claim("a", 0).has_value());
  EXPECT_TRUE(table.add(make("c", {addr(1)})).ok());
}

TEST(PendingTable, OutOfRangeIndexIsIgnored) {
  PendingTable table(2);
  ASSERT_TRUE(table.add(make("a", {addr(1)})).ok());
  EXPECT_FALSE(table.claim("a", 7).has_value());
  table.mark_sent("a", 7);
  EXPECT_EQ(table.size(), 1u);
}

}  // namespace
}  // namespace rmb::gateway
