// `rmb chain twin|update` as a real process against the fake node.
#include <gtest/gtest.h>

#include "tests/support/fake_node.h"
#include "tests/support/process.h"
#include "tests/tools/rmb_cli.h"

namespace rmb::test {
namespace {

const core::AccountId kNeckEd25519 =
    *core::from_hex_fixed<32>("61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55");
const core::AccountId kAlice =
    *core::from_hex_fixed<32>("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
const core::Bytes kNeckPkBytes = *core::from_hex(kNeckPk);

TEST(ChainCli, TwinPrintsTheChainRecord) {
  FakeNode node;
  node.put_twin(chain_twin(7, kAlice, "relay.grid.tf", kNeckPkBytes));
  auto r = rmb({"chain", "twin", "--substrate", node.url(), "--id", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"relay.grid.tf\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(core::to_hex(kNeckPkBytes)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(core::to_hex(kAlice)), std::string::npos) << r.out;

  r = rmb({"chain", "twin", "--substrate", node.url(), "--id", "8"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no twin 8 on this chain"), std::string::npos) << r.err;

  r = rmb({"chain", "twin", "--substrate", "http://x", "--id", "7"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(ChainCli, TwinWithNodeDown) {
  FakeNode node;
  node.stop();
  auto r = rmb({"chain", "twin", "--substrate", node.url(), "--id", "7"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot reach a substrate node"), std::string::npos) << r.err;
}

TEST(ChainCli, UpdatePublishesRelaysAndPk) {
  FakeNode node;
  node.put_twin(chain_twin(7, kNeckEd25519, std::nullopt, std::nullopt));
  auto r = rmb({"chain", "update", "--substrate", node.url(), "--mnemonic", kNeck, "--key-type", "ed25519", "--relay",
                "r2.example.com", "--relay", "r1.example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("twin 7 updated"), std::string::npos) << r.out;
  auto t = node.twin(7);
  EXPECT_EQ(t->relay, text_bytes("r1.example.com_r2.example.com"));
  EXPECT_EQ(t->pk, kNeckPkBytes);

  r = rmb({"chain", "update", "--substrate", node.url(), "--mnemonic", kNeck, "--key-type", "ed25519", "--relay",
           "r1.example.com", "--relay", "r2.example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("already publishes"), std::string::npos) << r.out;
  EXPECT_EQ(node.count("author_submitExtrinsic"), 1u);
}

TEST(ChainCli, UpdateErrors) {
  FakeNode node;
  auto r = rmb({"chain", "update", "--substrate", node.url(), "--mnemonic", kNeck, "--key-type", "ed25519", "--relay",
                "r1.example.com"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no twin found on this network with given key"), std::string::npos) << r.err;
  r = rmb({"chain", "update", "--substrate", node.url(), "--mnemonic", kNeck, "--key-type", "ed25519", "--relay",
           "r1.example.com:8080"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has a port"), std::string::npos) << r.err;
  r = rmb({"chain", "update", "--substrate", node.url(), "--key-type", "ed25519", "--relay", "r1.example.com"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace rmb::test
