// rmb-peer with --substrate (PROTOCOL.md §8.2): it finds its twin on a fake tfchain node and,
// unless --no-update, publishes its relay domains and e2e key with update_twin before it
// reports ready; when the record already matches, nothing is submitted.
#include <gtest/gtest.h>
#include <sodium.h>

#include "core/directory/substrate/scale.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/util/bytes.h"
#include "tests/support/fake_node.h"
#include "tests/support/peer_process.h"
#include "tests/support/redis_server.h"
#include "tests/support/twins.h"

namespace rmb::test {
namespace {

using namespace std::chrono_literals;

class PeerSubstrate : public ::testing::Test {
 protected:
  void SetUp() override {
    twin_ = std::move(make_twins(1, 7).front());
    core::ChainTwin record;
    record.id = twin_.id;
    record.account = twin_.signer->account();
    node_.put_twin(record);  // no relay, no pk yet
    seed_ = "0x" + core::to_hex(core::ByteView(twin_.seed.data(), twin_.seed.size()));
  }

  std::vector<std::string> args(const std::string& relay_url) const {
    return {"-k",      "ed25519",       "-m",          seed_,       "--substrate", node_.url(), "--relay",
            relay_url, "--grpc-listen", "127.0.0.1:0", "--no-redis"};
  }

  FakeNode node_;
  TestTwin twin_;
  std::string seed_;
};

TEST_F(PeerSubstrate, PublishesRelayAndKeyThenSkipsWhenUnchanged) {
  // No relay needs to listen: the links retry in the background.
  auto peer = PeerProcess::start(args("ws://relay-a.test:1"));
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ((*peer)->twin(), twin_.id);
  auto record = node_.twin(twin_.id);
  ASSERT_TRUE(record.has_value());
  ASSERT_TRUE(record->relay.has_value());
  EXPECT_EQ(std::string(record->relay->begin(), record->relay->end()), "relay-a.test");
  auto e2e = core::E2eKey::from_seed(twin_.seed);
  ASSERT_TRUE(e2e.ok());
  ASSERT_TRUE(record->pk.has_value());
  EXPECT_EQ(*record->pk, core::Bytes(e2e->public_key().begin(), e2e->public_key().end()));
  const uint64_t submitted = node_.count("author_submitExtrinsic") + node_.count("author_submitAndWatchExtrinsic");
  EXPECT_GE(submitted, 1u);
  (*peer)->stop();

  // Same relay and key again: the record matches, no new extrinsic.
  auto again = PeerProcess::start(args("ws://relay-a.test:1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(node_.count("author_submitExtrinsic") + node_.count("author_submitAndWatchExtrinsic"), submitted);
}

TEST_F(PeerSubstrate, NoUpdateLeavesTheChainAlone) {
  auto a = args("ws://relay-b.test:1");
  a.push_back("--no-update");
  auto peer = PeerProcess::start(a);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto record = node_.twin(twin_.id);
  ASSERT_TRUE(record.has_value());
  EXPECT_FALSE(record->relay.has_value());
  EXPECT_FALSE(record->pk.has_value());
  EXPECT_EQ(node_.count("author_submitExtrinsic") + node_.count("author_submitAndWatchExtrinsic"), 0u);
}

TEST_F(PeerSubstrate, AnRmbRsCommandLineStartsAndServes) {
  // rmb-rs's documented spelling (deprecated --mnemonics, counted -dd, short -s and -r), with
  // only the host names swapped for this test's chain node and Redis.
  auto redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  auto peer = PeerProcess::start({"-k", "ed25519", "--mnemonics", seed_, "-dd", "-s", node_.url(), "--relay",
                                  "ws://relay-a.test:1", "-r", (*redis)->url()});
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ((*peer)->twin(), twin_.id);
  EXPECT_TRUE((*peer)->wait_for_output("serving the Redis queues of " + (*redis)->url(), 20s)) << (*peer)->output();
  auto record = node_.twin(twin_.id);
  ASSERT_TRUE(record.has_value());
  ASSERT_TRUE(record->relay.has_value());
  EXPECT_EQ(std::string(record->relay->begin(), record->relay->end()), "relay-a.test");
}

TEST_F(PeerSubstrate, UnknownKeyExitsWithTheRustMessage) {
  auto stranger = make_twins(1, 99);
  const std::string seed = "0x" + core::to_hex(core::ByteView(stranger[0].seed.data(), stranger[0].seed.size()));
  auto peer = PeerProcess::spawn({"-k", "ed25519", "-m", seed, "--substrate", node_.url(), "--relay",
                                  "ws://relay-a.test:1", "--grpc-listen", "127.0.0.1:0"});
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ((*peer)->wait_exit().value_or(-1), 1);
  EXPECT_NE((*peer)->output().find("no twin found on this network with given key"), std::string::npos)
      << (*peer)->output();
}

}  // namespace
}  // namespace rmb::test
