// Keccak-f[1600] known answers: the permutation of the zero state, and SHA3-256 / SHAKE128
// sponges built on our permutation compared byte for byte with OpenSSL's EVP digests.
#include "core/protocol/crypto/keccak.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "core/util/bytes.h"

namespace rmb::core {
namespace {

// Minimal sponge over our permutation: rate in bytes, domain byte (0x06 SHA3, 0x1f SHAKE).
Bytes sponge(ByteView input, size_t rate, uint8_t domain, size_t out_len) {
  std::array<uint8_t, 200> state{};
  size_t pos = 0;
  for (uint8_t b : input) {
    state[pos++] ^= b;
    if (pos == rate) {
      keccak_f1600_bytes(state);
      pos = 0;
    }
  }
  state[pos] ^= domain;
  state[rate - 1] ^= 0x80;
  keccak_f1600_bytes(state);
  Bytes out;
  pos = 0;
  while (out.size() < out_len) {
    if (pos == rate) {
      keccak_f1600_bytes(state);
      pos = 0;
    }
    out.push_back(state[pos++]);
  }
  return out;
}

Bytes openssl_digest(const EVP_MD* md, ByteView input, size_t out_len) {
  Bytes out(out_len);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestInit_ex(ctx, md, nullptr), 1);
  EXPECT_EQ(EVP_DigestUpdate(ctx, input.data(), input.size()), 1);
  if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) {
    EXPECT_EQ(EVP_DigestFinalXOF(ctx, out.data(), out.size()), 1);
  } else {
    unsigned int n = 0;
    EXPECT_EQ(EVP_DigestFinal_ex(ctx, out.data(), &n), 1);
    EXPECT_EQ(n, out_len);
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

TEST(Keccak, PermutationOfZeroState) {
  KeccakState state{};
  keccak_f1600(state);
  // Published Keccak-f[1600] known answer (KeccakF-1600-IntermediateValues).
  EXPECT_EQ(state[0], 0xF1258F7940E1DDE7ULL);
  EXPECT_EQ(state[1], 0x84D5CCF933C0478AULL);
  EXPECT_EQ(state[2], 0xD598261EA65AA9EEULL);
  EXPECT_EQ(state[24], 0xEAF1FF7B5CECA249ULL);
  // A second application continues the published sequence.
  keccak_f1600(state);
  EXPECT_EQ(state[0], 0x2D5C954DF96ECB3CULL);
}

TEST(Keccak, ByteViewIsLittleEndianLanes) {
  std::array<uint8_t, 200> bytes{};
  keccak_f1600_bytes(bytes);
  // Lane 0 = F1258F7940E1DDE7 stored little endian.
  EXPECT_EQ(to_hex(ByteView(bytes.data(), 8)), "e7dde140798f25f1");
}

TEST(Keccak, Sha3_256EmptyMatchesOpenSsl) {
  const Bytes ours = sponge({}, 136, 0x06, 32);
  EXPECT_EQ(to_hex(ours), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(ours, openssl_digest(EVP_sha3_256(), {}, 32));
}

TEST(Keccak, SpongesMatchOpenSslAcrossBlockBoundaries) {
  // Lengths around the SHA3-256 (136) and SHAKE128 (168) rates exercise multi-block absorb
  // and squeeze.
  for (size_t len : {size_t{0}, size_t{1}, size_t{135}, size_t{136}, size_t{137}, size_t{167}, size_t{168}, size_t{169},
                     size_t{1000}}) {
    std::string input(len, '\0');
    for (size_t i = 0; i < len; ++i) input[i] = static_cast<char>(i * 7 + 3);
    EXPECT_EQ(sponge(as_bytes(input), 136, 0x06, 32), openssl_digest(EVP_sha3_256(), as_bytes(input), 32))
        << "sha3-256 len " << len;
    EXPECT_EQ(sponge(as_bytes(input), 168, 0x1f, 400), openssl_digest(EVP_shake128(), as_bytes(input), 400))
        << "shake128 len " << len;
  }
}

TEST(Keccak, Shake128EmptyKnownAnswer) {
  EXPECT_EQ(to_hex(sponge({}, 168, 0x1f, 32)), "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
}

}  // namespace
}  // namespace rmb::core
