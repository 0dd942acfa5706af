#include "gateway/engine/identity.h"

#include <gtest/gtest.h>

#include "core/directory/file_directory.h"
#include "core/util/bytes.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::gateway {
namespace {

constexpr char kNeck[] = "neck stage box cup core magic produce exercise happy rely vocal then";

TEST(Identity, MnemonicGivesTheSigningAndE2eKeysOfProtocolVectors) {
  auto ed = make_identity(core::KeyType::kEd25519, kNeck, 7);
  ASSERT_TRUE(ed.ok()) << ed.status();
  EXPECT_EQ(ed->twin, 7u);
  EXPECT_EQ(core::to_hex(ed->signer->account()), "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55");
  ASSERT_TRUE(ed->e2e.has_value());
  EXPECT_EQ(core::to_hex(ed->e2e->public_key()), "0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55");

  auto sr = make_identity(core::KeyType::kSr25519, kNeck, 7);
  ASSERT_TRUE(sr.ok()) << sr.status();
  EXPECT_EQ(sr->key_type, core::KeyType::kSr25519);
  EXPECT_EQ(core::to_hex(sr->signer->account()), "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48");
}

TEST(Identity, DerivationUrisSignButHaveNoE2eKey) {
  auto alice = make_identity(core::KeyType::kSr25519, "//Alice", 1);
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(core::to_hex(alice->signer->account()), "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_FALSE(alice->e2e.has_value());
}

TEST(Identity, BadSecretsAreErrors) {
  EXPECT_FALSE(make_identity(core::KeyType::kEd25519, "not a mnemonic at all", 1).ok());
  EXPECT_FALSE(make_identity(core::KeyType::kEd25519, "", 1).ok());
}

TEST(Identity, LoadLooksTheTwinUpByAccount) {
  auto ed = make_identity(core::KeyType::kEd25519, kNeck, 0);
  ASSERT_TRUE(ed.ok());
  core::Twin entry;
  entry.id = 4242;
  entry.account = ed->signer->account();
  const std::string path = test::make_temp_dir("engine-identity") + "/twins.json";
  ASSERT_TRUE(test::write_directory(path, {}, {entry}).ok());
  auto directory = core::FileDirectory::open(path);
  ASSERT_TRUE(directory.ok());

  auto loaded = load_identity(core::KeyType::kEd25519, kNeck, **directory);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->twin, 4242u);

  // Same phrase, other key type: another account, not in the directory.
  auto missing = load_identity(core::KeyType::kSr25519, kNeck, **directory);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "no twin found on this network with given key");
}

}  // namespace
}  // namespace rmb::gateway
