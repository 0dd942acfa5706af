// update_twin end to end against the fake node: the extrinsic is decoded, its signature
// and nonce checked and the node's map updated; rejections reach the caller.
#include "core/directory/substrate/update_twin.h"

#include <gtest/gtest.h>

#include "core/directory/substrate/substrate_directory.h"
#include "core/protocol/e2e/e2e_key.h"
#include "tests/core/directory/substrate/chain_vectors.h"
#include "tests/core/directory/substrate/test_util.h"
#include "tests/support/fake_node.h"

namespace rmb::test {
namespace {

using core::Bytes;

const core::Seed kNeckSeed =
    *core::from_hex_fixed<32>("aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce");
const core::Seed kVolumeSeed =
    *core::from_hex_fixed<32>("b37231837527c7173dc212bb23a7fe795d5dae540e7c21366a5fb9f4cc398a36");

// Signs with the wrapped key, then flips one bit: the node must refuse it.
class CorruptSigner final : public core::Signer {
 public:
  explicit CorruptSigner(std::unique_ptr<core::Signer> inner) : inner_(std::move(inner)) {}
  core::KeyType type() const override { return inner_->type(); }
  const core::AccountId& account() const override { return inner_->account(); }
  core::Signature65 sign(core::ByteView message) const override {
    auto sig = inner_->sign(message);
    sig[10] ^= 0x01;
    return sig;
  }

 private:
  std::unique_ptr<core::Signer> inner_;
};

std::shared_ptr<const core::Signer> signer(core::KeyType type, const core::Seed& seed) {
  auto s = core::make_signer(type, seed);
  EXPECT_TRUE(s.ok()) << s.status();
  return *std::move(s);
}

class UpdateTwinTest : public ::testing::Test {
 protected:
  std::unique_ptr<core::SubstrateDirectory> open() {
    core::SubstrateDirectoryOptions o;
    o.rpc.urls = {node_.url()};
    auto dir = core::SubstrateDirectory::open(std::move(o));
    EXPECT_TRUE(dir.ok()) << dir.status();
    return *std::move(dir);
  }

  absl::Status update(core::SubstrateDirectory& dir, std::shared_ptr<const core::Signer> s,
                      std::set<std::string> relays, std::optional<Bytes> pk,
                      std::chrono::milliseconds within = std::chrono::seconds(30)) {
    auto p = std::make_shared<std::promise<absl::Status>>();
    auto f = p->get_future();
    core::update_twin(dir.rpc(), std::move(s), std::move(relays), std::move(pk),
                      std::chrono::steady_clock::now() + within, [p](absl::Status st) { p->set_value(st); },
                      {std::chrono::milliseconds(50)});
    return wait_for(f);
  }

  FakeNode node_;
};

TEST_F(UpdateTwinTest, Ed25519EndToEnd) {
  auto s = signer(core::KeyType::kEd25519, kNeckSeed);
  node_.put_twin(chain_twin(7, s->account(), "old.example.com", std::nullopt));
  auto dir = open();
  const auto before = get_twin(*dir, 7);
  ASSERT_TRUE(before.ok() && before->has_value());
  EXPECT_TRUE(core::twin_needs_update(**before, {"r1.example.com", "r2.example.com"}, kNeckPk));

  ASSERT_TRUE(update(*dir, s, {"r2.example.com", "r1.example.com"}, kNeckPk).ok());
  auto after = node_.twin(7);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->relay, text_bytes("r1.example.com_r2.example.com"));
  EXPECT_EQ(after->pk, kNeckPk);
  EXPECT_EQ(node_.nonce(s->account()), 1u);
  EXPECT_EQ(node_.count("author_submitExtrinsic"), 1u);
  EXPECT_EQ(node_.count("state_getRuntimeVersion"), 1u);
  EXPECT_EQ(node_.count("chain_getBlockHash"), 1u);

  // The directory sees it once the cached entry is dropped.
  dir->forget(7);
  auto seen = get_twin(*dir, 7);
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_FALSE(core::twin_needs_update(**seen, {"r1.example.com", "r2.example.com"}, kNeckPk));

  // A second update uses the next nonce; None clears the pk.
  ASSERT_TRUE(update(*dir, s, {"relay.grid.tf"}, std::nullopt).ok());
  after = node_.twin(7);
  EXPECT_EQ(after->relay, text_bytes("relay.grid.tf"));
  EXPECT_FALSE(after->pk.has_value());
  EXPECT_EQ(node_.nonce(s->account()), 2u);
}

TEST_F(UpdateTwinTest, BadSignatureRejectedByTheNode) {
  auto good = signer(core::KeyType::kEd25519, kNeckSeed);
  node_.put_twin(chain_twin(7, good->account(), "old.example.com", std::nullopt));
  auto dir = open();
  auto bad = std::make_shared<CorruptSigner>(*core::make_signer(core::KeyType::kEd25519, kNeckSeed));
  const absl::Status st = update(*dir, bad, {"r1.example.com"}, kNeckPk);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("update_twin failed submitting the extrinsic"), std::string::npos) << st;
  EXPECT_NE(st.message().find("Transaction has a bad signature"), std::string::npos) << st;
  EXPECT_EQ(node_.twin(7)->relay, text_bytes("old.example.com"));
  EXPECT_EQ(node_.nonce(good->account()), 0u);
}

TEST_F(UpdateTwinTest, AccountWithoutTwin) {
  auto s = signer(core::KeyType::kEd25519, kVolumeSeed);
  auto dir = open();
  const absl::Status st = update(*dir, s, {"r1.example.com"}, kNeckPk);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound) << st;
  EXPECT_NE(st.message().find("no twin found on this network with given key"), std::string::npos) << st;
  EXPECT_EQ(node_.count("author_submitExtrinsic"), 0u);
}

TEST_F(UpdateTwinTest, ChainInvalidRelayRefusedBeforeSubmitting) {
  auto s = signer(core::KeyType::kEd25519, kNeckSeed);
  node_.put_twin(chain_twin(7, s->account(), "old.example.com", std::nullopt));
  auto dir = open();
  for (const char* bad : {"relay.example.com:8443", "bad..domain", "under_score"}) {
    const absl::Status st = update(*dir, s, {bad}, kNeckPk);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  }
  EXPECT_EQ(node_.count("state_getStorage"), 0u);
}

TEST_F(UpdateTwinTest, NodeDownIsAnError) {
  auto s = signer(core::KeyType::kEd25519, kNeckSeed);
  node_.stop();
  auto dir = open();
  const absl::Status st = update(*dir, s, {"r1.example.com"}, kNeckPk);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_NE(st.message().find("update_twin failed reading the twin id: cannot reach a substrate node"),
            std::string::npos)
      << st;
}

TEST_F(UpdateTwinTest, Sr25519EndToEndWhenAvailable) {
  auto made = core::make_signer(core::KeyType::kSr25519, kVolumeSeed);
  if (!made.ok()) GTEST_SKIP() << "sr25519 not in core yet: " << made.status();
  std::shared_ptr<const core::Signer> s = *std::move(made);
  node_.put_twin(chain_twin(55, s->account(), std::nullopt, std::nullopt));
  auto dir = open();
  ASSERT_TRUE(update(*dir, s, {"relay.grid.tf"}, kNeckPk).ok());
  EXPECT_EQ(node_.twin(55)->relay, text_bytes("relay.grid.tf"));
  EXPECT_EQ(node_.nonce(s->account()), 1u);
}

}  // namespace
}  // namespace rmb::test
