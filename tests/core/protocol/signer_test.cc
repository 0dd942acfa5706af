// Key derivation from raw seeds (§3.2), the 65-byte layout and verify_signature's
// error texts (§2.2, §8.9).
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ed25519.h"
#include "tests/core/protocol/vectors.h"

namespace rmb::core {
namespace {

using vectors::hex_fixed;

struct SeedRow {
  const char* seed;
  const char* ed25519_pub;
};

// The mini-secret column of §3.2 used directly as the ed25519 seed.
constexpr SeedRow kSeedRows[] = {
    {"aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce",
     "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55"},
    {"b37231837527c7173dc212bb23a7fe795d5dae540e7c21366a5fb9f4cc398a36",
     "07e41c929a661a0dd976238b27d12884def9b59354535d6eee883c9d52d2dce1"},
    {"af092e458b87bdd7d349ac4407dff60a67c7237c63b196d55b7ee845f5a48617",
     "32a1716189665466061fd55b4e3f1431c88f62e2a33c0a19c299c095746f67e0"},
    {"b724b4b8286f9e0f36ae3240646c9c3b1aacc99ffc743f5c6c69f835aae369bc",
     "4f57e74a4eac994d1e7f455ef2c45331fcb56db0995e6e88e8c42342b3c84be4"},
    {"fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e",
     "345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef"},
    {"340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d",
     "922b07df6a39450574ce91295b17e1be17a5c67c1975226d137647bcf8cf8045"},
};

TEST(KeyType, ParsesCaseInsensitively) {
  EXPECT_EQ(*parse_key_type("ed25519"), KeyType::kEd25519);
  EXPECT_EQ(*parse_key_type("ED25519"), KeyType::kEd25519);
  EXPECT_EQ(*parse_key_type("Sr25519"), KeyType::kSr25519);
  EXPECT_FALSE(parse_key_type("secp256k1").ok());
  EXPECT_FALSE(parse_key_type("").ok());
  EXPECT_EQ(key_type_name(KeyType::kSr25519), "sr25519");
  EXPECT_EQ(key_type_prefix(KeyType::kEd25519), 'e');
  EXPECT_EQ(key_type_prefix(KeyType::kSr25519), 's');
}

TEST(Ed25519, SeedsGiveTheListedPublicKeys) {
  for (const auto& row : kSeedRows) {
    auto signer = make_signer(KeyType::kEd25519, hex_fixed<32>(row.seed));
    ASSERT_TRUE(signer.ok());
    EXPECT_EQ(to_hex((*signer)->account()), row.ed25519_pub) << row.seed;
    EXPECT_EQ((*signer)->type(), KeyType::kEd25519);
  }
}

TEST(Ed25519, SignsWithPrefixAndVerifies) {
  Ed25519Signer signer(hex_fixed<32>(vectors::kSeed));
  const std::string msg = "some message";
  const Signature65 sig = signer.sign(as_bytes(msg));
  EXPECT_EQ(sig[0], kEd25519Prefix);
  EXPECT_TRUE(verify_signature(signer.account(), as_bytes(msg), sig).ok());
  EXPECT_TRUE(ed25519_verify(signer.account(), as_bytes(msg), ByteView(sig).subspan(1)));
  // Deterministic (RFC 8032).
  EXPECT_EQ(sig, signer.sign(as_bytes(msg)));
}

TEST(Ed25519, RejectsOtherMessageKeyOrBitFlip) {
  Ed25519Signer signer(hex_fixed<32>(vectors::kSeed));
  const std::string msg = "some message";
  Signature65 sig = signer.sign(as_bytes(msg));
  absl::Status st = verify_signature(signer.account(), as_bytes(std::string("other")), sig);
  EXPECT_EQ(st.message(), "ed25519 signature verification failed");
  EXPECT_FALSE(verify_signature(hex_fixed<32>(vectors::kSrPub), as_bytes(msg), sig).ok());
  sig[10] ^= 1;
  EXPECT_FALSE(verify_signature(signer.account(), as_bytes(msg), sig).ok());
  EXPECT_FALSE(ed25519_verify(signer.account(), as_bytes(msg), ByteView(sig).subspan(2)));
}

TEST(VerifySignature, WrongLengthsGiveTheRustText) {
  const AccountId account = hex_fixed<32>(vectors::kEdPub);
  const std::string msg = "m";
  for (size_t len : {0, 1, 64, 66, 130}) {
    Bytes sig(len, kEd25519Prefix);
    absl::Status st = verify_signature(account, as_bytes(msg), sig);
    EXPECT_EQ(st.message(), "invalid signature length, expected: 65, found: " + std::to_string(len));
  }
}

TEST(VerifySignature, UnknownPrefixGivesTheRustText) {
  const AccountId account = hex_fixed<32>(vectors::kEdPub);
  for (uint8_t prefix : {0x00, 0x64, 0x66, 0x72, 0x74, 0xff}) {
    Bytes sig(65, 0);
    sig[0] = prefix;
    absl::Status st = verify_signature(account, as_bytes(std::string("m")), sig);
    EXPECT_EQ(st.message(), "invalid signature type (expected either sr25519 or ed25519)");
  }
}

TEST(Sr25519, SignerAndAppendixASignature) {
  auto signer = make_signer(KeyType::kSr25519, hex_fixed<32>(vectors::kSeed));
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(to_hex((*signer)->account()), vectors::kSrPub);

  // A real sr25519 signature from Appendix A verifies; a changed digest does not.
  Bytes digest = vectors::hex(vectors::kA.md5);
  const AccountId account = hex_fixed<32>(vectors::kSrPub);
  EXPECT_TRUE(verify_signature(account, digest, vectors::hex(vectors::kSrSigA)).ok());
  digest[0] ^= 1;
  absl::Status st = verify_signature(account, digest, vectors::hex(vectors::kSrSigA));
  EXPECT_EQ(st.message(), "sr25519 signature verification failed");
}

}  // namespace
}  // namespace rmb::core
