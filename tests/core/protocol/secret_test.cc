#include "core/protocol/identity/secret.h"

#include <gtest/gtest.h>

namespace rmb::core {
namespace {

std::string secret_error(std::string_view secret) {
  auto r = parse_secret(secret);
  EXPECT_FALSE(r.ok()) << secret;
  return std::string(r.status().message());
}

TEST(Secret, ShortAndLongHexNameTheLength) {
  EXPECT_EQ(secret_error("0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a"),
            "invalid secret: a 0x seed must be 32 bytes (64 hex digits), got 62 hex digits");
  EXPECT_EQ(secret_error("0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d00"),
            "invalid secret: a 0x seed must be 32 bytes (64 hex digits), got 66 hex digits");
  EXPECT_EQ(secret_error("0x"), "invalid secret: a 0x seed must be 32 bytes (64 hex digits), got 0 hex digits");
  // 64-byte sr25519 secret keys are not accepted either: the e2e key needs 32 bytes (§3.1).
  EXPECT_NE(secret_error("0x" + std::string(128, 'a')).find("got 128 hex digits"), std::string::npos);
}

TEST(Secret, NonHexIsRejected) {
  EXPECT_EQ(secret_error("0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137azz"),
            "invalid secret: character 65 of the 0x seed is not a hex digit");
  EXPECT_NE(secret_error("0xg").find("character 3"), std::string::npos);
}

TEST(Secret, DerivationPathsAreNotSupportedYet) {
  const std::string want = "invalid secret: derivation paths (//hard, /soft, ///password) are not supported yet";
  EXPECT_EQ(secret_error("//Alice"), want);
  EXPECT_EQ(secret_error("neck stage box cup core magic produce exercise happy rely vocal then//x"), want);
  EXPECT_EQ(secret_error("neck stage box cup core magic produce exercise happy rely vocal then///pw"), want);
  EXPECT_EQ(secret_error("neck stage box cup core magic produce exercise happy rely vocal then/0"), want);
  EXPECT_EQ(secret_error("0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d//1"), want);
}

TEST(Secret, EmptyAndMnemonicErrors) {
  EXPECT_NE(secret_error("").find("it is empty"), std::string::npos);
  EXPECT_NE(secret_error("  \n").find("it is empty"), std::string::npos);
  EXPECT_EQ(secret_error("neck stage box cup core magic produce exercise happy rely vocal vocal"),
            "invalid mnemonic: checksum mismatch");
  EXPECT_EQ(secret_error("neck stage box cup core magic produce exercise happy rely vocal thenn"),
            "invalid mnemonic: word 12 \"thenn\" is not in the BIP-39 English list");
}

TEST(Secret, PasswordChangesTheMiniSecret) {
  auto entropy = from_hex("93ba846a1ad3050baaea7a68f6afd570");
  ASSERT_TRUE(entropy.ok());
  const Seed plain = mini_secret_from_entropy(*entropy);
  EXPECT_EQ(to_hex(plain), "aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce");
  EXPECT_EQ(mini_secret_from_entropy(*entropy, ""), plain);
  EXPECT_NE(mini_secret_from_entropy(*entropy, "pw"), plain);
}

}  // namespace
}  // namespace rmb::core
