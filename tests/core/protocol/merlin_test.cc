// STROBE-128 and Merlin reference vectors, and the transcript RNG's behaviour.
#include "core/protocol/crypto/merlin.h"

#include <gtest/gtest.h>

#include "core/protocol/crypto/strobe.h"
#include "core/util/bytes.h"

namespace rmb::core {
namespace {

// STROBE's "Conformance Test Protocol" vector (as in Merlin's strobe tests, checked there
// against the strobe reference implementation).
TEST(Strobe128, ConformanceVector) {
  Strobe128 s(as_bytes("Conformance Test Protocol"));
  const Bytes msg(1024, 99);
  s.meta_ad(as_bytes("ms"), false);
  s.meta_ad(as_bytes("g"), true);
  s.ad(msg, false);
  std::array<uint8_t, 32> prf1{};
  s.meta_ad(as_bytes("prf"), false);
  s.prf(prf1, false);
  const std::array<uint8_t, 32> expected1 = {180, 142, 100, 92, 161, 124, 102, 127, 213, 32, 107,
                                             165, 122, 106, 34, 141, 114, 216, 225, 144, 56, 20,
                                             211, 241, 127, 98, 41,  150, 215, 207, 239, 176};
  EXPECT_EQ(prf1, expected1);

  s.meta_ad(as_bytes("key"), false);
  s.key(prf1, false);
  std::array<uint8_t, 32> prf2{};
  s.meta_ad(as_bytes("prf"), false);
  s.prf(prf2, false);
  const std::array<uint8_t, 32> expected2 = {7,   228, 92,  206, 128, 120, 206, 226, 89,  227, 227,
                                             117, 187, 133, 215, 86,  16,  226, 209, 225, 32,  28,
                                             95,  100, 80,  69,  161, 148, 237, 212, 159, 248};
  EXPECT_EQ(prf2, expected2);
}

// Merlin's published equivalence test vector.
TEST(Merlin, PublishedVector) {
  MerlinTranscript t("test protocol");
  t.append_message("some label", as_bytes("some data"));
  std::array<uint8_t, 32> challenge{};
  t.challenge_bytes("challenge", challenge);
  EXPECT_EQ(to_hex(challenge), "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

TEST(Merlin, ChallengesDependOnEverythingAppended) {
  auto challenge = [](std::string_view label, std::string_view data) {
    MerlinTranscript t("test protocol");
    t.append_message(label, as_bytes(data));
    std::array<uint8_t, 32> out{};
    t.challenge_bytes("challenge", out);
    return out;
  };
  EXPECT_NE(challenge("some label", "some data"), challenge("some label", "some datA"));
  EXPECT_NE(challenge("some label", "some data"), challenge("some labe", "lsome data"));
  // Successive challenges differ (the PRF ratchets the state).
  MerlinTranscript t("x");
  std::array<uint8_t, 32> a{}, b{};
  t.challenge_bytes("c", a);
  t.challenge_bytes("c", b);
  EXPECT_NE(a, b);
}

TEST(Merlin, AppendU64IsLittleEndianMessage) {
  MerlinTranscript a("p"), b("p");
  a.append_u64("n", 0x0102030405060708ULL);
  const uint8_t le[8] = {8, 7, 6, 5, 4, 3, 2, 1};
  b.append_message("n", le);
  std::array<uint8_t, 16> ca{}, cb{};
  a.challenge_bytes("c", ca);
  b.challenge_bytes("c", cb);
  EXPECT_EQ(ca, cb);
}

TEST(Merlin, WitnessBytesKeyedByTranscriptSeedsAndRandomness) {
  MerlinTranscript t("witness");
  t.append_message("m", as_bytes("message"));
  const std::array<uint8_t, 32> seed_a{1}, seed_b{2};
  const std::array<uint8_t, 32> rng_a{7}, rng_b{8};
  auto witness = [&](const MerlinTranscript& tr, const std::array<uint8_t, 32>& seed,
                     const std::array<uint8_t, 32>& rng) {
    std::array<uint8_t, 64> out{};
    const std::span<const uint8_t> seeds[] = {seed};
    tr.witness_bytes_with_rng_bytes("signing", out, seeds, rng);
    return out;
  };
  const auto base = witness(t, seed_a, rng_a);
  EXPECT_EQ(base, witness(t, seed_a, rng_a));  // deterministic given all inputs
  EXPECT_NE(base, witness(t, seed_b, rng_a));
  EXPECT_NE(base, witness(t, seed_a, rng_b));
  MerlinTranscript other("witness");
  other.append_message("m", as_bytes("messagE"));
  EXPECT_NE(base, witness(other, seed_a, rng_a));

  // The transcript itself is not consumed by drawing witnesses.
  MerlinTranscript fresh("witness");
  fresh.append_message("m", as_bytes("message"));
  std::array<uint8_t, 32> c1{}, c2{};
  t.challenge_bytes("c", c1);
  fresh.challenge_bytes("c", c2);
  EXPECT_EQ(c1, c2);

  // With real randomness two draws differ.
  std::array<uint8_t, 32> r1{}, r2{};
  const std::span<const uint8_t> seeds[] = {seed_a};
  fresh.witness_bytes("signing", r1, seeds);
  fresh.witness_bytes("signing", r2, seeds);
  EXPECT_NE(r1, r2);
}

}  // namespace
}  // namespace rmb::core
