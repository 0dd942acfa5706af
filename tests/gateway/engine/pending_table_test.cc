#include "gateway/engine/pending_table.h"

#include <gtest/gtest.h>

namespace rmb::gateway {
namespace {

using namespace std::chrono_literals;

core::AddressText addr(uint32_t twin, std::optional<std::string> sid = std::nullopt) {
  return core::AddressText{twin, std::move(sid)};
}

std::shared_ptr<PendingRequest> make(const std::string& uid, std::vector<core::AddressText> dests) {
  auto r = std::make_shared<PendingRequest>();
  r->uid = uid;
  for (auto& d : dests) r->destinations.emplace_back().address = std::move(d);
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

TEST(PendingTable, RelayErrorsAreHeldWhileSeveralDestinationsAreOwed) {
  PendingTable table(10);
  ASSERT_TRUE(table.add(make("u", {addr(1), addr(2), addr(3)})).ok());
  // A relay error names no destination: guessing one would drop that one's real reply.
  auto relay = table.claim_reply("u", addr(0), RelayError{0, "destination offline"});
  EXPECT_EQ(relay.match, PendingTable::Match::kHeld);
  // Every real reply still settles its own destination.
  ASSERT_EQ(table.claim_reply("u", addr(1)).match, PendingTable::Match::kMatched);
  ASSERT_EQ(table.claim_reply("u", addr(3)).match, PendingTable::Match::kMatched);
  // One destination left: the next relay error can only be its own.
  relay = table.claim_reply("u", addr(0), RelayError{0, "again"});
  ASSERT_EQ(relay.match, PendingTable::Match::kMatched);
  EXPECT_EQ(relay.claim->index, 1u);
  EXPECT_TRUE(relay.claim->last);
}

TEST(PendingTable, ATransientRelayErrorIsHeldAndBringsTheResendForward) {
  PendingTable table(10, ResendPolicy{10s, 60s});
  const auto t0 = PendingTable::Clock::time_point{} + 1000s;
  auto request = make("u", {addr(1)});
  request->deadline = t0 + 60s;
  ASSERT_TRUE(table.add(request).ok());
  table.mark_sent("u", 0, std::make_shared<const std::string>("f"), t0);
  // One destination owed, but the relay failed this attempt: held, not settled.
  auto relay = table.claim_reply("u", addr(0), RelayError{0, "redis error: unavailable"}, t0 + 1s);
  EXPECT_EQ(relay.match, PendingTable::Match::kHeld);
  EXPECT_TRUE(table.due_resends(t0, false).empty());
  EXPECT_EQ(table.due_resends(t0 + 1s, false).size(), 1u);
  // The real reply still settles it.
  EXPECT_EQ(table.claim_reply("u", addr(1)).match, PendingTable::Match::kMatched);
  EXPECT_EQ(table.size(), 0u);
}

TEST(PendingTable, HeldRelayErrorsComeOutWithTheUnansweredAtRemoval) {
  PendingTable table(10);
  ASSERT_TRUE(table.add(make("u", {addr(1), addr(2), addr(3)})).ok());
  EXPECT_EQ(table.claim_reply("u", addr(0), RelayError{7, "no route"}).match, PendingTable::Match::kHeld);
  ASSERT_EQ(table.claim_reply("u", addr(2)).match, PendingTable::Match::kMatched);
  auto removed = table.remove("u");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->unanswered, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(removed->request->relay_errors.size(), 1u);
  EXPECT_EQ(removed->request->relay_errors[0].code, 7u);
  EXPECT_EQ(removed->request->relay_errors[0].message, "no route");
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

TEST(PendingTable, UnansweredSentDestinationsAreResentAtDoublingIntervals) {
  PendingTable table(10, ResendPolicy{5s, 12s});
  const auto t0 = PendingTable::Clock::time_point{} + 1000s;
  auto request = make("u", {addr(1), addr(2), addr(3)});
  request->deadline = t0 + 60s;
  ASSERT_TRUE(table.add(request).ok());
  auto bytes = std::make_shared<const std::string>("signed");
  table.mark_sent("u", 0, bytes, t0);
  table.mark_sent("u", 1, bytes, t0);
  // Destination 2 never left: nothing to send again.
  EXPECT_TRUE(table.due_resends(t0 + 4s, false).empty());
  auto due = table.due_resends(t0 + 5s, false);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].uid, "u");
  EXPECT_EQ(*due[0].frame, "signed");
  EXPECT_EQ(due[0].deadline, t0 + 60s);
  // Next: 10 s later (doubled), then 12 s (capped).
  EXPECT_TRUE(table.due_resends(t0 + 14s, false).empty());
  EXPECT_EQ(table.due_resends(t0 + 15s, false).size(), 2u);
  EXPECT_TRUE(table.due_resends(t0 + 26s, false).empty());
  EXPECT_EQ(table.due_resends(t0 + 27s, false).size(), 2u);
  // A resend completing does not restart the schedule.
  table.mark_sent("u", 0, bytes, t0 + 23s);
  EXPECT_TRUE(table.due_resends(t0 + 28s, false).empty());
  // Answered destinations are not sent again; a dropped link sends the rest at once.
  ASSERT_EQ(table.claim_reply("u", addr(1)).match, PendingTable::Match::kMatched);
  auto all = table.due_resends(t0 + 30s, true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].index, 1u);
  // Past the deadline nothing is sent: the deadline settles the request.
  EXPECT_TRUE(table.due_resends(t0 + 60s, true).empty());
}

std::shared_ptr<PendingRequest> due_at(const std::string& uid, PendingTable::Clock::time_point deadline) {
  auto r = make(uid, {addr(1)});
  r->deadline = deadline;
  return r;
}

TEST(PendingTable, DueRequestsComeInDeadlineOrderAndSettledOnesLeaveTheIndex) {
  PendingTable table(10);
  const auto t0 = PendingTable::Clock::time_point{} + 1000s;
  ASSERT_TRUE(table.add(due_at("late", t0 + 2s)).ok());
  ASSERT_TRUE(table.add(due_at("early", t0 + 1s)).ok());
  ASSERT_TRUE(table.add(due_at("answered", t0 + 1s)).ok());
  ASSERT_TRUE(table.add(due_at("removed", t0 + 1s)).ok());
  ASSERT_TRUE(table.add(due_at("last", t0 + 3s)).ok());
  ASSERT_EQ(table.claim_reply("answered", addr(1)).match, PendingTable::Match::kMatched);
  ASSERT_TRUE(table.remove("removed").has_value());

  EXPECT_TRUE(table.due(t0).empty());
  EXPECT_EQ(table.due(t0 + 1s), (std::vector<std::string>{"early"}));
  // Due but not settled yet: still due until removed.
  EXPECT_EQ(table.due(t0 + 2500ms), (std::vector<std::string>{"early", "late"}));
  ASSERT_TRUE(table.remove("early").has_value());
  ASSERT_TRUE(table.remove("late").has_value());
  EXPECT_EQ(table.due(t0 + 10s), (std::vector<std::string>{"last"}));
}

TEST(PendingTable, AWakeupIsPromisedOnlyForAnEarlierDeadline) {
  PendingTable table(10);
  const auto t0 = PendingTable::Clock::time_point{} + 1000s;
  EXPECT_EQ(table.wakeup(), PendingTable::Clock::time_point::max());
  for (auto [uid, at] : {std::pair{"a", t0 + 5s}, {"b", t0 + 3s}, {"c", t0 + 9s}}) {
    ASSERT_TRUE(table.add(due_at(uid, at)).ok());
  }
  EXPECT_TRUE(table.promise_wakeup(t0 + 5s));
  EXPECT_FALSE(table.promise_wakeup(t0 + 9s));  // the timer wakes before it anyway
  EXPECT_FALSE(table.promise_wakeup(t0 + 5s));
  EXPECT_TRUE(table.promise_wakeup(t0 + 3s));
  EXPECT_EQ(table.wakeup(), t0 + 3s);
  // The timer fires: the promise moves to the next deadline not yet due...
  EXPECT_EQ(table.due(t0 + 3s), (std::vector<std::string>{"b"}));
  EXPECT_EQ(table.wakeup(), t0 + 5s);
  // ...and a request settled meanwhile is skipped: the next wake-up is the last one's.
  ASSERT_TRUE(table.remove("b").has_value());
  ASSERT_TRUE(table.claim("a", 0).has_value());
  EXPECT_TRUE(table.due(t0 + 5s).empty());
  EXPECT_EQ(table.wakeup(), t0 + 9s);
  ASSERT_TRUE(table.remove("c").has_value());
  EXPECT_TRUE(table.due(t0 + 9s).empty());
  EXPECT_EQ(table.wakeup(), PendingTable::Clock::time_point::max());
  // With none promised, any deadline needs the timer.
  EXPECT_TRUE(table.promise_wakeup(t0 + 100s));
}

TEST(PendingTable, OutOfRangeIndexIsIgnored) {
  PendingTable table(2);
  ASSERT_TRUE(table.add(make("a", {addr(1)})).ok());
  EXPECT_FALSE(table.claim("a", 7).has_value());
  table.mark_sent("a", 7, nullptr, PendingTable::Clock::time_point{});
  EXPECT_EQ(table.size(), 1u);
}

}  // namespace
}  // namespace rmb::gateway
