// SubstrateDirectory against the fake node: lookups, absent twins, None fields, bad
// SCALE, node down and back, URL rotation, de-duplicated misses, cache expiry.
#include "core/directory/substrate/substrate_directory.h"

#include <sys/socket.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/directory/substrate/storage_keys.h"
#include "tests/core/directory/substrate/chain_vectors.h"
#include "tests/core/directory/substrate/test_util.h"
#include "tests/support/fake_node.h"

namespace rmb::test {
namespace {

using core::AccountId;
using core::Bytes;

const AccountId kAlice = *core::from_hex_fixed<32>("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
const AccountId kBob = *core::from_hex_fixed<32>("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");

// A loopback port with nothing listening: bound, then closed.
uint16_t dead_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

class SubstrateDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // §10.1 computed example: id 7, Alice, relay.grid.tf, the neck… pk.
    node_.put_twin(chain_twin(7, kAlice, "relay.grid.tf", kNeckPk));
  }

  std::unique_ptr<core::SubstrateDirectory> open(std::vector<std::string> urls = {}) {
    core::SubstrateDirectoryOptions o;
    o.rpc.urls = urls.empty() ? std::vector<std::string>{node_.url()} : std::move(urls);
    o.rpc.call_timeout = call_timeout_;
    o.cache_ttl = std::chrono::seconds(300);
    o.clock = [this] { return std::chrono::steady_clock::now() + std::chrono::seconds(clock_offset_.load()); };
    auto dir = core::SubstrateDirectory::open(std::move(o));
    EXPECT_TRUE(dir.ok()) << dir.status();
    return *std::move(dir);
  }

  FakeNode node_;
  std::chrono::milliseconds call_timeout_{20000};
  std::atomic<int> clock_offset_{0};
};

TEST_F(SubstrateDirectoryTest, TwinFound) {
  auto dir = open();
  auto t = get_twin(*dir, 7);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE(t->has_value());
  EXPECT_EQ((*t)->id, 7u);
  EXPECT_EQ((*t)->account, kAlice);
  EXPECT_EQ((*t)->relays, (std::set<std::string>{"relay.grid.tf"}));
  EXPECT_EQ((*t)->pk, kNeckPk);
  auto id = get_twin_id(*dir, kAlice);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, 7u);
}

TEST_F(SubstrateDirectoryTest, AbsentIsNulloptAndNotCached) {
  auto dir = open();
  auto t = get_twin(*dir, 8);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->has_value());
  auto id = get_twin_id(*dir, kBob);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_FALSE(id->has_value());
  // Created on chain afterwards: seen at once.
  node_.put_twin(chain_twin(8, kBob, std::nullopt, std::nullopt));
  t = get_twin(*dir, 8);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ(*get_twin_id(*dir, kBob), 8u);
}

TEST_F(SubstrateDirectoryTest, RelayNoneAndPkNone) {
  node_.put_twin(chain_twin(20, kBob, std::nullopt, kNeckPk));
  node_.put_twin(chain_twin(21, kAlice, "r1.example.com_r2.example.com", std::nullopt));
  auto dir = open();
  auto a = get_twin(*dir, 20);
  ASSERT_TRUE(a.ok() && a->has_value()) << a.status();
  EXPECT_TRUE((*a)->relays.empty());
  EXPECT_EQ((*a)->pk, kNeckPk);
  auto b = get_twin(*dir, 21);
  ASSERT_TRUE(b.ok() && b->has_value()) << b.status();
  EXPECT_EQ((*b)->relays, (std::set<std::string>{"r1.example.com", "r2.example.com"}));
  EXPECT_FALSE((*b)->pk.has_value());
}

TEST_F(SubstrateDirectoryTest, BadScaleIsAClearError) {
  node_.put_raw(core::twins_storage_key(9), Bytes{9, 0, 0, 0, 1, 2});
  node_.put_raw(core::twins_storage_key(10), core::encode_chain_twin(chain_twin(11, kBob, std::nullopt, std::nullopt)));
  node_.put_raw(core::twin_id_by_account_storage_key(kBob), Bytes{1, 2});
  auto dir = open();
  auto t = get_twin(*dir, 9);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("twin 9 lookup on tfchain failed: truncated Twin: account_id"), std::string::npos)
      << t.status();
  t = get_twin(*dir, 10);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("returned twin 11 for the key of twin 10"), std::string::npos) << t.status();
  auto id = get_twin_id(*dir, kBob);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("truncated TwinIdByAccountID value"), std::string::npos) << id.status();
  // The directory still works after bad answers.
  EXPECT_TRUE(get_twin(*dir, 7).ok());
}

TEST_F(SubstrateDirectoryTest, NodeDownThenBack) {
  auto dir = open();
  ASSERT_TRUE(get_twin(*dir, 7).ok());
  node_.stop();
  // Either the client already saw the close ("cannot reach a substrate node (URL: ...)")
  // or the call went out on the closing connection ("connection to URL lost: ...").
  auto t = get_twin(*dir, 8);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnavailable) << t.status();
  EXPECT_NE(t.status().message().find(node_.url()), std::string::npos) << t.status();
  t = get_twin(*dir, 8);  // by now the drop is known: a fresh connect fails
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("cannot reach a substrate node"), std::string::npos) << t.status();
  node_.put_twin(chain_twin(8, kBob, "relay.grid.tf", std::nullopt));
  node_.start();
  t = get_twin(*dir, 8);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE(t->has_value());
  EXPECT_EQ((*t)->account, kBob);
  EXPECT_EQ(dir->rpc()->connections_made(), 2u);
}

TEST_F(SubstrateDirectoryTest, DownFromTheStart) {
  node_.stop();
  auto dir = open();
  auto t = get_twin(*dir, 7);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnavailable) << t.status();
  node_.start();
  t = get_twin(*dir, 7);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->has_value());
}

TEST_F(SubstrateDirectoryTest, TwoUrlsFirstDead) {
  const std::string dead = "ws://127.0.0.1:" + std::to_string(dead_port());
  auto dir = open({dead, node_.url()});
  auto t = get_twin(*dir, 7);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->has_value());
  auto id = get_twin_id(*dir, kAlice);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, 7u);
  EXPECT_EQ(dir->rpc()->connections_made(), 1u);
}

TEST_F(SubstrateDirectoryTest, AllUrlsDeadNamesEach) {
  const std::string a = "ws://127.0.0.1:" + std::to_string(dead_port());
  const std::string b = "ws://127.0.0.1:" + std::to_string(dead_port());
  auto dir = open({a, b});
  auto t = get_twin(*dir, 7);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find(a + ": connect"), std::string::npos) << t.status();
  EXPECT_NE(t.status().message().find(b + ": connect"), std::string::npos) << t.status();
}

TEST_F(SubstrateDirectoryTest, ConcurrentMissesShareOneRpc) {
  auto dir = open();
  node_.hold_storage();
  constexpr int kThreads = 4, kPerThread = 8;
  std::vector<std::future<absl::StatusOr<std::optional<core::Twin>>>> results;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kPerThread; ++j) {
        auto p = std::make_shared<std::promise<absl::StatusOr<std::optional<core::Twin>>>>();
        {
          std::lock_guard lock(mu);
          results.push_back(p->get_future());
        }
        dir->get_twin(7, [p](auto r) { p->set_value(std::move(r)); });
      }
    });
  }
  for (auto& t : threads) t.join();
  // Every lookup has been issued while the answer is held back: only now let it go.
  while (node_.count("state_getStorage") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  node_.release_storage();
  for (auto& f : results) {
    auto r = wait_for(f);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->relays, (std::set<std::string>{"relay.grid.tf"}));
  }
  EXPECT_EQ(results.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(node_.count("state_getStorage"), 1u);
  // And a later lookup is a cache hit.
  ASSERT_TRUE(get_twin(*dir, 7).ok());
  EXPECT_EQ(node_.count("state_getStorage"), 1u);
}

TEST_F(SubstrateDirectoryTest, CacheExpires) {
  auto dir = open();
  ASSERT_TRUE(get_twin(*dir, 7).ok());
  ASSERT_TRUE(get_twin_id(*dir, kAlice).ok());
  EXPECT_EQ(node_.count("state_getStorage"), 2u);
  node_.put_twin(chain_twin(7, kAlice, "new.grid.tf", kNeckPk));
  // The cache's clock is the real steady clock plus the offset: 290 leaves 10 s of real time
  // between caching and this lookup (299 left only 1 s, which a loaded machine can use up).
  clock_offset_ = 290;
  auto t = get_twin(*dir, 7);
  EXPECT_EQ((*t)->relays, (std::set<std::string>{"relay.grid.tf"}));  // still cached
  ASSERT_TRUE(get_twin_id(*dir, kAlice).ok());
  EXPECT_EQ(node_.count("state_getStorage"), 2u);
  clock_offset_ = 301;
  t = get_twin(*dir, 7);
  EXPECT_EQ((*t)->relays, (std::set<std::string>{"new.grid.tf"}));
  ASSERT_TRUE(get_twin_id(*dir, kAlice).ok());
  EXPECT_EQ(node_.count("state_getStorage"), 4u);
  // forget() drops one entry at once.
  node_.put_twin(chain_twin(7, kAlice, "newer.grid.tf", kNeckPk));
  dir->forget(7);
  t = get_twin(*dir, 7);
  EXPECT_EQ((*t)->relays, (std::set<std::string>{"newer.grid.tf"}));
}

TEST_F(SubstrateDirectoryTest, SilentNodeTimesOut) {
  // The timeout also bounds the lookup after the release, a full round trip to the node:
  // 2 s, not less, so a loaded machine does not time that one out too.
  call_timeout_ = std::chrono::milliseconds(2000);
  auto dir = open();
  node_.hold_storage();
  auto t = get_twin(*dir, 7);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kDeadlineExceeded) << t.status();
  EXPECT_NE(t.status().message().find("state_getStorage timed out"), std::string::npos) << t.status();
  node_.release_storage();  // the late answer is ignored
  t = get_twin(*dir, 7);
  ASSERT_TRUE(t.ok()) << t.status();
}

TEST_F(SubstrateDirectoryTest, BadUrlRefusedAtOpen) {
  core::SubstrateDirectoryOptions o;
  o.rpc.urls = {"http://127.0.0.1:1"};
  auto dir = core::SubstrateDirectory::open(std::move(o));
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("expected ws:// or wss://"), std::string::npos);
}

}  // namespace
}  // namespace rmb::test
