#include "relay/mailbox/memory.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace rmb::relay {
namespace {

// Takes `room` frames. Their write confirmations wait in `unconfirmed` (a session confirms
// after its socket write, never inside offer(), which runs under the mailbox lock).
struct FakeSink : MailboxSink {
  size_t room = 1000;
  std::vector<std::string> got;
  std::vector<Written> unconfirmed;
  bool offer(const Frame& frame, Written written) override {
    if (room == 0) return false;
    --room;
    got.push_back(*frame);
    unconfirmed.push_back(std::move(written));
    return true;
  }
  void confirm() {
    auto all = std::move(unconfirmed);
    unconfirmed.clear();
    for (auto& w : all) w();
  }
};

Frame F(const std::string& s) { return std::make_shared<const std::string>(s); }

class MemoryMailboxTest : public ::testing::Test {
 protected:
  MemoryMailboxTest()
      : mailbox_(MemoryMailboxOptions{
            3, [this] { return now_; },
            [this](const SessionId&, std::string_view reason) { drops_[std::string(reason)]++; }}) {}
  void store(const SessionId& id, const std::string& s, uint64_t expires_at) {
    bool called = false;
    mailbox_.store(id, F(s), expires_at, [&](absl::Status st) {
      EXPECT_TRUE(st.ok());
      called = true;
    });
    EXPECT_TRUE(called);
  }
  uint64_t now_ = 1000;
  std::map<std::string, int> drops_;
  MemoryMailbox mailbox_;
};

const SessionId kA{7, std::nullopt};
const SessionId kAsid{7, std::string("x")};
const SessionId kAempty{7, std::string("")};

TEST_F(MemoryMailboxTest, DeliversOldestFirstOnAttach) {
  store(kA, "1", 2000);
  store(kA, "2", 2000);
  EXPECT_EQ(mailbox_.depth(), 2u);
  auto sink = std::make_shared<FakeSink>();
  mailbox_.attach(kA, sink);
  EXPECT_EQ(sink->got, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(mailbox_.depth(), 2u);  // offered, not yet written
  sink->confirm();
  EXPECT_EQ(mailbox_.depth(), 0u);
  // While attached with nothing queued, new mail goes straight to the sink.
  store(kA, "3", 2000);
  EXPECT_EQ(sink->got.back(), "3");
}

TEST_F(MemoryMailboxTest, SessionsAreExact) {
  store(kA, "none", 2000);
  store(kAsid, "sid", 2000);
  store(kAempty, "empty", 2000);
  auto sink = std::make_shared<FakeSink>();
  mailbox_.attach(kAempty, sink);
  EXPECT_EQ(sink->got, (std::vector<std::string>{"empty"}));
  sink->confirm();
  EXPECT_EQ(mailbox_.depth(), 2u);
}

TEST_F(MemoryMailboxTest, ExpiredMailNeverDelivered) {
  store(kA, "old", 1000);  // expires_at == now: already expired
  store(kA, "soon", 1500);
  store(kA, "later", 3000);
  now_ = 1600;
  auto sink = std::make_shared<FakeSink>();
  mailbox_.attach(kA, sink);
  EXPECT_EQ(sink->got, (std::vector<std::string>{"later"}));
  EXPECT_EQ(drops_["expired"], 2);
}

TEST_F(MemoryMailboxTest, PurgeExpired) {
  store(kA, "a", 1500);
  store(kAsid, "b", 3000);
  now_ = 2000;
  EXPECT_EQ(mailbox_.purge_expired(), 1u);
  EXPECT_EQ(mailbox_.depth(), 1u);
}

TEST_F(MemoryMailboxTest, BoundedDropsOldest) {
  for (const char* s : {"1", "2", "3", "4", "5"}) store(kA, s, 2000);
  EXPECT_EQ(mailbox_.depth(), 3u);
  EXPECT_EQ(drops_["mailbox_full"], 2);
  auto sink = std::make_shared<FakeSink>();
  mailbox_.attach(kA, sink);
  EXPECT_EQ(sink->got, (std::vector<std::string>{"3", "4", "5"}));
}

TEST_F(MemoryMailboxTest, RefusedOffersWaitForResumeInOrder) {
  auto sink = std::make_shared<FakeSink>();
  sink->room = 1;
  mailbox_.attach(kA, sink);
  store(kA, "1", 2000);  // offered directly
  store(kA, "2", 2000);  // refused: kept
  store(kA, "3", 2000);  // queued behind "2", not offered ahead of it
  EXPECT_EQ(sink->got, (std::vector<std::string>{"1"}));
  sink->room = 10;
  mailbox_.resume(kA);
  EXPECT_EQ(sink->got, (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(MemoryMailboxTest, DetachOnlyByCurrentSink) {
  auto old_sink = std::make_shared<FakeSink>();
  auto new_sink = std::make_shared<FakeSink>();
  mailbox_.attach(kA, old_sink);
  mailbox_.attach(kA, new_sink);
  mailbox_.detach(kA, old_sink.get());  // stale: ignored
  store(kA, "x", 2000);
  EXPECT_EQ(new_sink->got, (std::vector<std::string>{"x"}));
  new_sink->confirm();
  mailbox_.detach(kA, new_sink.get());
  store(kA, "y", 2000);
  EXPECT_EQ(new_sink->got.size(), 1u);
  EXPECT_EQ(mailbox_.depth(), 1u);
}

// Issue 11: offered but not written when the session ends -> offered again first, in order,
// to the next session; a late confirmation from the old session still counts.
TEST_F(MemoryMailboxTest, UnwrittenMailIsOfferedAgainInOrderOnTheNextAttach) {
  for (const char* s : {"1", "2", "3"}) store(kA, s, 2000);
  auto first = std::make_shared<FakeSink>();
  first->room = 2;
  mailbox_.attach(kA, first);
  ASSERT_EQ(first->got, (std::vector<std::string>{"1", "2"}));
  first->unconfirmed[0]();  // "1" was written; "2" was still queued
  mailbox_.detach(kA, first.get());
  store(kA, "4", 2000);
  EXPECT_EQ(mailbox_.depth(), 3u);

  auto second = std::make_shared<FakeSink>();
  mailbox_.attach(kA, second);
  EXPECT_EQ(second->got, (std::vector<std::string>{"2", "3", "4"}));
  second->confirm();
  EXPECT_EQ(mailbox_.depth(), 0u);
  first->unconfirmed[1]();  // late and already confirmed: nothing happens
  EXPECT_EQ(mailbox_.depth(), 0u);
}

// A confirmation arriving after its box was emptied (here by expiry), removed and created
// again must not remove the new box's mail.
TEST_F(MemoryMailboxTest, LateConfirmationDoesNotTouchANewBox) {
  store(kA, "old", 1500);
  auto first = std::make_shared<FakeSink>();
  mailbox_.attach(kA, first);
  mailbox_.detach(kA, first.get());  // "old" unconfirmed: stays
  now_ = 2000;
  EXPECT_EQ(mailbox_.purge_expired(), 1u);  // box empty and gone
  store(kA, "new", 3000);
  first->confirm();  // the old write completes late
  EXPECT_EQ(mailbox_.depth(), 1u);
  auto second = std::make_shared<FakeSink>();
  mailbox_.attach(kA, second);
  EXPECT_EQ(second->got, (std::vector<std::string>{"new"}));
}

TEST_F(MemoryMailboxTest, PurgeKeepsOfferedMail) {
  store(kA, "a", 1500);
  store(kA, "b", 1500);
  auto sink = std::make_shared<FakeSink>();
  sink->room = 1;
  mailbox_.attach(kA, sink);
  now_ = 2000;
  EXPECT_EQ(mailbox_.purge_expired(), 1u);  // "b"; "a" is the session's, awaiting its write
  sink->confirm();
  EXPECT_EQ(mailbox_.depth(), 0u);
}

}  // namespace
}  // namespace rmb::relay
