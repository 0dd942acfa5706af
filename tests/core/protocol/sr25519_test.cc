// schnorrkel sr25519 against PROTOCOL.md §3.2 (public keys of every mini-secret) and
// Appendix A (a signature and a JWT made by polkadot.js), plus tampering and round trips.
#include "core/protocol/identity/sr25519.h"

#include <gtest/gtest.h>

#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"
#include "core/protocol/jwt/jwt.h"

namespace rmb::core {
namespace {

template <size_t N>
std::array<uint8_t, N> hexa(std::string_view text) {
  auto v = from_hex_fixed<N>(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : std::array<uint8_t, N>{};
}
Bytes hexb(std::string_view text) {
  auto v = from_hex(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : Bytes{};
}

struct KeyVector {
  const char* secret;
  const char* mini_secret;
  const char* sr25519_pub;
};

// PROTOCOL.md §3.2, "Mnemonic -> mini-secret and public keys".
const KeyVector kKeys[] = {
    {"neck stage box cup core magic produce exercise happy rely vocal then",
     "aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce",
     "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48"},
    {"volume behind cable present pull exchange wish loyal avocado snap film increase",
     "b37231837527c7173dc212bb23a7fe795d5dae540e7c21366a5fb9f4cc398a36",
     "942a5dc287ca18e4035f8f7863ff27103905651968385c7b1eb03fac20027146"},
    {"tackle blouse grain dawn adult loyal tattoo price access tilt chimney silk",
     "af092e458b87bdd7d349ac4407dff60a67c7237c63b196d55b7ee845f5a48617",
     "a29acf9a22068341a51a1b4e44fc743f3aafbec30bcf9a45264cafe855195764"},
    {"garage dad improve reunion girl saddle theory know label reason fantasy deputy",
     "b724b4b8286f9e0f36ae3240646c9c3b1aacc99ffc743f5c6c69f835aae369bc",
     "24caf6933db462e57de33c1f24711087a922ac1f63306eba0a23caa9a442dd01"},
    {"bottom drive obey lake curtain smoke basket hold race lonely fit walk",
     "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e",
     "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"},
    {"0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d",
     "340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d",
     "6c64c96b606531bb8f225488ec5bf6f53b05b729b9f9859d56501d92be9bf378"},
};

constexpr char kNeckSrPub[] = "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48";
// Appendix A, vector A.
constexpr char kMd5A[] = "2130548edf6ee59b5e2856e259b24027";
constexpr char kSrSigA[] =
    "73403fbad5d7c0674064047c77e465c13bfcace30bea8ebb60bf877a5cc0c53a4f2d2fa79a127b5b0b25b4e1e1"
    "3fe1b9947b0b260ba1a7d1a04a3a6ccf9052d98f";
constexpr char kJwtSr[] =
    "eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOjcsInNpZCI6bnVsbCwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAzMDB9."
    "c3QUE2MuZ5DDM_I5zrIe-bvxT38T_9sTbKsbwFQW2JUTdQw2DsW0UMrpufXbs7LMlA2Zfl43plueHB2l6Xp1o40";

TEST(Sr25519Keys, EveryProtocolVector) {
  for (const auto& v : kKeys) {
    SCOPED_TRACE(v.secret);
    auto seed = parse_secret(v.secret);
    ASSERT_TRUE(seed.ok()) << seed.status();
    EXPECT_EQ(to_hex(*seed), v.mini_secret);
    auto signer = make_signer(KeyType::kSr25519, *seed);
    ASSERT_TRUE(signer.ok()) << signer.status();
    EXPECT_EQ((*signer)->type(), KeyType::kSr25519);
    EXPECT_EQ(to_hex((*signer)->account()), v.sr25519_pub);
    // The URI path with no junctions gives the same key.
    auto by_uri = signer_from_uri(KeyType::kSr25519, v.secret);
    ASSERT_TRUE(by_uri.ok()) << by_uri.status();
    EXPECT_EQ(to_hex((*by_uri)->account()), v.sr25519_pub);
  }
}

TEST(Sr25519Keys, NeckSs58) {
  EXPECT_EQ(ss58_encode(hexa<32>(kNeckSrPub)), "5EFsy5c74SbTa7yWs9TjRKEEfrHSYq4TDYXuPGThdKsonsFp");
}

TEST(Sr25519Keys, ExpansionIsScalarBelowOrderAndNonceIsHashTail) {
  const auto key = sr25519_expand(hexa<32>(kKeys[0].mini_secret));
  // Clamped then divided by 8: bit 251 set, bits 252.. clear.
  EXPECT_EQ(key.key[31] & 0xf8, 0x08);
  EXPECT_NE(key.nonce, (std::array<uint8_t, 32>{}));
}

TEST(Sr25519Verify, AppendixASignatureOverMd5) {
  const AccountId pk = hexa<32>(kNeckSrPub);
  const Bytes sig = hexb(kSrSigA);
  const Bytes digest = hexb(kMd5A);
  EXPECT_TRUE(verify_signature(pk, digest, sig).ok()) << verify_signature(pk, digest, sig);
  EXPECT_TRUE(sr25519_verify(pk, digest, ByteView(sig).subspan(1)));
}

TEST(Sr25519Verify, AppendixAJwtVerifies) {
  auto parsed = parse_jwt(kJwtSr);
  ASSERT_TRUE(std::holds_alternative<ParsedJwt>(parsed));
  const auto& jwt = std::get<ParsedJwt>(parsed);
  EXPECT_EQ(jwt.signature[0], kSr25519Prefix);
  // A fake "now" inside the token's lifetime.
  auto err = verify_jwt(jwt, hexa<32>(kNeckSrPub), 1700000100);
  EXPECT_FALSE(err.has_value()) << err->message;
  // Another key: bad signature with the §8.9 text.
  err = verify_jwt(jwt, hexa<32>(kKeys[1].sr25519_pub), 1700000100);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kBadSignature);
  EXPECT_NE(err->message.find("sr25519 signature verification failed"), std::string::npos) << err->message;
}

TEST(Sr25519Verify, TamperingFails) {
  const AccountId pk = hexa<32>(kNeckSrPub);
  const Bytes sig = hexb(kSrSigA);
  Bytes digest = hexb(kMd5A);

  Bytes other_digest = digest;
  other_digest[0] ^= 1;
  absl::Status st = verify_signature(pk, other_digest, sig);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(st.message(), "sr25519 signature verification failed");

  // Every single-bit flip of the 64 signature bytes is rejected.
  for (size_t byte = 1; byte < sig.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = sig;
      bad[byte] ^= static_cast<uint8_t>(1 << bit);
      EXPECT_FALSE(verify_signature(pk, digest, bad).ok()) << byte << ":" << bit;
    }
  }
  // The wrong key.
  EXPECT_FALSE(verify_signature(hexa<32>(kKeys[1].sr25519_pub), digest, sig).ok());
  // The same bytes under the ed25519 prefix are not an ed25519 signature.
  Bytes as_ed = sig;
  as_ed[0] = kEd25519Prefix;
  EXPECT_EQ(verify_signature(pk, digest, as_ed).message(), "ed25519 signature verification failed");
}

TEST(Sr25519Verify, MissingMarkerIsRejected) {
  const AccountId pk = hexa<32>(kNeckSrPub);
  Bytes sig = hexb(kSrSigA);
  ASSERT_NE(sig[64] & 0x80, 0);
  sig[64] &= 0x7f;  // same R and s, but not marked as schnorrkel
  EXPECT_FALSE(verify_signature(pk, hexb(kMd5A), sig).ok());
}

TEST(Sr25519Verify, NonCanonicalScalarIsRejected) {
  const AccountId pk = hexa<32>(kNeckSrPub);
  Bytes sig = hexb(kSrSigA);
  // s + l is the same scalar mod l but not canonical; schnorrkel refuses it.
  const std::array<uint8_t, 32> order = hexa<32>("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  sig[64] &= 0x7f;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned v = sig[33 + i] + order[i] + carry;
    sig[33 + i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  ASSERT_EQ(carry, 0u);
  ASSERT_EQ(sig[64] & 0x80, 0);  // s + l still fits in 255 bits
  sig[64] |= 0x80;
  EXPECT_FALSE(verify_signature(pk, hexb(kMd5A), sig).ok());
}

TEST(Sr25519Verify, InvalidPublicKeyIsAnErrorNotACrash) {
  const Bytes sig = hexb(kSrSigA);
  AccountId not_a_point{};
  not_a_point.fill(0xff);
  EXPECT_FALSE(verify_signature(not_a_point, hexb(kMd5A), sig).ok());
  EXPECT_FALSE(verify_signature(AccountId{}, hexb(kMd5A), sig).ok());
  // Short signatures keep the §2.2 text.
  EXPECT_EQ(verify_signature(hexa<32>(kNeckSrPub), hexb(kMd5A), Bytes{kSr25519Prefix, 1, 2}).message(),
            "invalid signature length, expected: 65, found: 3");
}

TEST(Sr25519Sign, RoundTripsAndIsRandomized) {
  for (const auto& v : kKeys) {
    auto signer = make_signer(KeyType::kSr25519, hexa<32>(v.mini_secret));
    ASSERT_TRUE(signer.ok());
    for (std::string_view msg : {std::string_view(""), std::string_view("hello"),
                                 std::string_view("a longer message that spans more than one "
                                                  "STROBE block of 166 bytes ............"
                                                  "......................................"
                                                  "......................................")}) {
      const Signature65 sig = (*signer)->sign(as_bytes(msg));
      EXPECT_EQ(sig[0], kSr25519Prefix);
      EXPECT_NE(sig[64] & 0x80, 0);
      EXPECT_TRUE(verify_signature((*signer)->account(), as_bytes(msg), sig).ok());
      EXPECT_FALSE(verify_signature((*signer)->account(), as_bytes(std::string(msg) + "x"), sig).ok());
      const Signature65 again = (*signer)->sign(as_bytes(msg));
      EXPECT_NE(sig, again);  // fresh witness every time
      EXPECT_TRUE(verify_signature((*signer)->account(), as_bytes(msg), again).ok());
    }
  }
}

TEST(Sr25519Sign, JwtRoundTrip) {
  auto signer = make_signer(KeyType::kSr25519, hexa<32>(kKeys[0].mini_secret));
  ASSERT_TRUE(signer.ok());
  const std::string token = mint_jwt(**signer, 7, std::nullopt, 1700000000);
  // The sr prefix makes the signature part start with 'c' (§4.1).
  EXPECT_EQ(token.substr(token.rfind('.') + 1, 1), "c");
  auto parsed = parse_jwt(token);
  ASSERT_TRUE(std::holds_alternative<ParsedJwt>(parsed));
  EXPECT_FALSE(verify_jwt(std::get<ParsedJwt>(parsed), (*signer)->account(), 1700000001));
}

TEST(Sr25519Derive, SoftDerivedSecretMatchesPublicDerivation) {
  // Soft derivation moves the scalar by H(cc, pk); signing with the derived key must verify
  // under the derived public key.
  const auto root = sr25519_expand(hexa<32>(kKeys[4].mini_secret));
  ChainCode cc{};
  cc[0] = 0x10;
  const auto child = sr25519_soft_derive(root, cc);
  const AccountId child_pk = sr25519_public_key(child);
  EXPECT_NE(child_pk, sr25519_public_key(root));
  const auto sig = sr25519_sign(child, child_pk, as_bytes("m"));
  EXPECT_TRUE(sr25519_verify(child_pk, as_bytes("m"), sig));
  // The key part is deterministic; only the nonce is random.
  const auto child2 = sr25519_soft_derive(root, cc);
  EXPECT_EQ(child2.key, child.key);
  EXPECT_NE(child2.nonce, child.nonce);
}

}  // namespace
}  // namespace rmb::core
