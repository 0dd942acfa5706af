// PROTOCOL.md §3.2: secret -> entropy -> mini-secret -> ed25519 / sr25519 / secp256k1 keys
// and SS58 addresses, for every row of the vector table.
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/mnemonic.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"
#include "tests/core/protocol/identity_vectors.h"

namespace rmb::core {
namespace {

using test::key_vectors;
using test::ss58_vectors;

TEST(IdentityVectors, MnemonicToEntropyAndBack) {
  for (const auto& v : key_vectors()) {
    if (v.entropy.empty()) continue;
    SCOPED_TRACE(v.secret);
    auto entropy = mnemonic_to_entropy(v.secret);
    ASSERT_TRUE(entropy.ok()) << entropy.status();
    EXPECT_EQ(to_hex(*entropy), v.entropy);
    auto phrase = entropy_to_mnemonic(*entropy);
    ASSERT_TRUE(phrase.ok()) << phrase.status();
    EXPECT_EQ(*phrase, v.secret);
  }
}

TEST(IdentityVectors, SecretToMiniSecret) {
  for (const auto& v : key_vectors()) {
    SCOPED_TRACE(v.secret);
    auto seed = parse_secret(v.secret);
    ASSERT_TRUE(seed.ok()) << seed.status();
    EXPECT_EQ(to_hex(*seed), v.mini_secret);
    if (!v.entropy.empty()) {
      auto entropy = from_hex(v.entropy);
      ASSERT_TRUE(entropy.ok());
      EXPECT_EQ(to_hex(mini_secret_from_entropy(*entropy)), v.mini_secret);
    }
  }
}

TEST(IdentityVectors, Ed25519PublicKey) {
  for (const auto& v : key_vectors()) {
    SCOPED_TRACE(v.secret);
    auto seed = parse_secret(v.secret);
    ASSERT_TRUE(seed.ok()) << seed.status();
    auto signer = make_signer(KeyType::kEd25519, *seed);
    ASSERT_TRUE(signer.ok()) << signer.status();
    EXPECT_EQ(to_hex((*signer)->account()), v.ed25519_pub);
  }
}

TEST(IdentityVectors, Sr25519PublicKey) {
  for (const auto& v : key_vectors()) {
    SCOPED_TRACE(v.secret);
    auto seed = parse_secret(v.secret);
    ASSERT_TRUE(seed.ok()) << seed.status();
    auto signer = make_signer(KeyType::kSr25519, *seed);
    ASSERT_TRUE(signer.ok()) << signer.status();
    EXPECT_EQ(to_hex((*signer)->account()), v.sr25519_pub);
  }
}

TEST(IdentityVectors, Secp256k1PublicKey) {
  for (const auto& v : key_vectors()) {
    SCOPED_TRACE(v.secret);
    auto seed = parse_secret(v.secret);
    ASSERT_TRUE(seed.ok()) << seed.status();
    auto key = E2eKey::from_seed(*seed);
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(to_hex(key->public_key()), v.secp256k1_pub);
  }
}

// The full 64-byte substrate-bip39 output of neck...: checks the PBKDF2 parameters (salt,
// rounds, hash, password = entropy) that the mini-secret is the first half of.
TEST(IdentityVectors, NeckSeed64) {
  const std::string seed64 =
      "aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce"
      "2f290900662e343212969a7e0a77d70c9f0224f87dccb52c7925f3b3b975458c";
  auto entropy = mnemonic_to_entropy(key_vectors()[0].secret);
  ASSERT_TRUE(entropy.ok());
  std::array<uint8_t, 64> out{};
  const std::string salt = "mnemonic";
  ASSERT_EQ(PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(entropy->data()), static_cast<int>(entropy->size()),
                              reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), 2048,
                              EVP_sha512(), 64, out.data()),
            1);
  EXPECT_EQ(to_hex(out), seed64);
  EXPECT_EQ(to_hex(mini_secret_from_entropy(*entropy)), seed64.substr(0, 64));
}

TEST(IdentityVectors, NeckSs58ForBothKeyTypes) {
  const auto& neck = key_vectors()[0];
  auto ed = from_hex_fixed<32>(neck.ed25519_pub);
  auto sr = from_hex_fixed<32>(neck.sr25519_pub);
  ASSERT_TRUE(ed.ok() && sr.ok());
  EXPECT_EQ(ss58_encode(*ed), "5EGtD8gtMcKPupQ187AY8VMx3SP6489nnFUv7b9cC2eRKiqw");
  EXPECT_EQ(ss58_encode(*sr), "5EFsy5c74SbTa7yWs9TjRKEEfrHSYq4TDYXuPGThdKsonsFp");
}

TEST(IdentityVectors, Ss58RoundTrips) {
  for (const auto& v : ss58_vectors()) {
    SCOPED_TRACE(v.ss58);
    auto account = ss58_decode(v.ss58);
    ASSERT_TRUE(account.ok()) << account.status();
    EXPECT_EQ(to_hex(*account), v.hex);
    EXPECT_EQ(ss58_encode(*account), v.ss58);
    auto parsed = parse_account(v.ss58);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, *account);
    auto parsed_hex = parse_account("0x" + v.hex);
    ASSERT_TRUE(parsed_hex.ok());
    EXPECT_EQ(*parsed_hex, *account);
  }
}

TEST(IdentityVectors, HexSeedInputAcceptsEitherCaseAndWhitespace) {
  auto lower = parse_secret("0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d");
  auto upper = parse_secret(" 0X340F7341B312BCC61AEEA7A76D759D809B8601CBC6D22CB2817278E346137A5D\n");
  ASSERT_TRUE(lower.ok()) << lower.status();
  ASSERT_TRUE(upper.ok()) << upper.status();
  EXPECT_EQ(*lower, *upper);
}

}  // namespace
}  // namespace rmb::core
