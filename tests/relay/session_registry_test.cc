#include "relay/session_registry.h"

#include <gtest/gtest.h>

namespace rmb::relay {
namespace {

struct FakeSession : Session {
  explicit FakeSession(SessionId i) : id_(std::move(i)) {}
  const SessionId& id() const override { return id_; }
  bool deliver(const Frame&) override { return true; }
  bool offer(const Frame&, Written) override { return true; }
  void close(CloseCause c) override { closed = c; }
  SessionId id_;
  std::optional<CloseCause> closed;
};

TEST(SessionRegistry, NewestReplacesAndOldCleanupKeepsNew) {
  SessionRegistry registry(10);
  auto first = std::make_shared<FakeSession>(SessionId{7, std::nullopt});
  auto second = std::make_shared<FakeSession>(SessionId{7, std::nullopt});
  auto r1 = registry.add(first);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(*r1, nullptr);
  auto r2 = registry.add(second);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->get(), first.get());  // handed back to be closed
  // The old session's cleanup must not remove its replacement (rmb-rs double drop).
  EXPECT_FALSE(registry.remove(first->id(), first.get()));
  EXPECT_EQ(registry.find(SessionId{7, std::nullopt}).get(), second.get());
  EXPECT_TRUE(registry.remove(second->id(), second.get()));
  EXPECT_EQ(registry.find(SessionId{7, std::nullopt}), nullptr);
}

TEST(SessionRegistry, KeysAreExact) {
  SessionRegistry registry(10);
  ASSERT_TRUE(registry.add(std::make_shared<FakeSession>(SessionId{7, std::nullopt})).ok());
  ASSERT_TRUE(registry.add(std::make_shared<FakeSession>(SessionId{7, std::string("")})).ok());
  ASSERT_TRUE(registry.add(std::make_shared<FakeSession>(SessionId{7, std::string("abc")})).ok());
  EXPECT_EQ(registry.size(), 3u);
  EXPECT_EQ(registry.find(SessionId{7, std::string("ab")}), nullptr);
  EXPECT_EQ(registry.find(SessionId{8, std::nullopt}), nullptr);
}

TEST(SessionRegistry, Capacity) {
  SessionRegistry registry(2);
  ASSERT_TRUE(registry.add(std::make_shared<FakeSession>(SessionId{1, std::nullopt})).ok());
  ASSERT_TRUE(registry.add(std::make_shared<FakeSession>(SessionId{2, std::nullopt})).ok());
  auto full = registry.add(std::make_shared<FakeSession>(SessionId{3, std::nullopt}));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().message(), "max number of users");
  // Replacing an existing key is not a new session.
  EXPECT_TRUE(registry.add(std::make_shared<FakeSession>(SessionId{2, std::nullopt})).ok());
}

}  // namespace
}  // namespace rmb::relay
