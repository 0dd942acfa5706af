// End-to-end crypto against the §9.4 vector: keys, shared secret, fixed-nonce ciphers,
// and every way a cipher payload can be broken.
#include <secp256k1.h>
#include <sodium.h>

#include <atomic>
#include <thread>

#include "core/protocol/e2e/cipher.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/e2e/shared_key_cache.h"
#include "tests/core/protocol/vectors.h"

namespace rmb::core {
namespace {

using namespace vectors;

constexpr std::array<uint8_t, kNonceSize> kFixedNonce = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

E2eKey key_from(const char* sk_hex) {
  auto key = E2eKey::from_seed(hex_fixed<32>(sk_hex));
  EXPECT_TRUE(key.ok()) << key.status();
  return *key;
}

TEST(E2eKey, PublicKeysOfTheVector) {
  EXPECT_EQ(to_hex(key_from(kE2eSk1).public_key()), kE2ePk1);
  EXPECT_EQ(to_hex(key_from(kE2eSk2).public_key()), kE2ePk2);
  // §3.2: the neck… mini-secret gives this compressed secp256k1 key.
  EXPECT_EQ(to_hex(key_from(kSeed).public_key()), "0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55");
}

TEST(E2eKey, SharedKeyIsSha256OfXBothWays) {
  const E2eKey k1 = key_from(kE2eSk1);
  const E2eKey k2 = key_from(kE2eSk2);
  auto a = k1.shared_key(k2.public_key());
  auto b = k2.shared_key(k1.public_key());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(to_hex(*a), kE2eK);
  EXPECT_EQ(*a, *b);
  // K = SHA-256(X): checked against the listed X independently of our ECDH.
  std::array<uint8_t, 32> k{};
  const Bytes x = hex(kE2eX);
  crypto_hash_sha256(k.data(), x.data(), x.size());
  EXPECT_EQ(to_hex(k), kE2eK);
}

TEST(E2eKey, UncompressedPeerKeyAlsoWorks) {
  // 04 || X || Y of pk2, computed by decompressing with libsecp256k1.
  const E2eKey k1 = key_from(kE2eSk1);
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_pubkey pub;
  const Bytes pk2 = hex(kE2ePk2);
  ASSERT_EQ(secp256k1_ec_pubkey_parse(ctx, &pub, pk2.data(), pk2.size()), 1);
  std::array<uint8_t, 65> full{};
  size_t len = full.size();
  secp256k1_ec_pubkey_serialize(ctx, full.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  secp256k1_context_destroy(ctx);
  auto k = k1.shared_key(full);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(to_hex(*k), kE2eK);
}

TEST(E2eKey, BadInputsAreErrors) {
  EXPECT_FALSE(E2eKey::from_seed(Seed{}).ok());  // zero is not a scalar
  Seed order{};                                  // the group order n is not a valid secret either
  order = hex_fixed<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  EXPECT_FALSE(E2eKey::from_seed(order).ok());

  const E2eKey k1 = key_from(kE2eSk1);
  Bytes pk = hex(kE2ePk2);
  for (Bytes bad : {Bytes{}, Bytes(33, 0), Bytes(pk.begin(), pk.end() - 1), Bytes(32, 7)}) {
    auto k = k1.shared_key(bad);
    EXPECT_FALSE(k.ok());
    EXPECT_NE(k.status().message().find("k256"), absl::string_view::npos);
  }
  pk[0] = 0x05;  // invalid SEC1 tag
  EXPECT_FALSE(k1.shared_key(pk).ok());
}

TEST(Cipher, FixedNonceVectors) {
  const SharedKey k = hex_fixed<32>(kE2eK);
  const std::string hello = "hello world";
  EXPECT_EQ(to_hex(e2e_encrypt_with_nonce(k, as_bytes(hello), kFixedNonce)), kHelloCipher);
  EXPECT_EQ(to_hex(e2e_encrypt_with_nonce(k, {}, kFixedNonce)), kEmptyCipher);

  auto plain = e2e_decrypt(k, hex(kHelloCipher));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(as_chars(*plain), hello);
  plain = e2e_decrypt(k, hex(kEmptyCipher));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->empty());
}

TEST(Cipher, RandomNonceRoundTripsAndDiffers) {
  const SharedKey k = hex_fixed<32>(kE2eK);
  const std::string msg(100000, 'q');
  const Bytes c1 = e2e_encrypt(k, as_bytes(msg));
  const Bytes c2 = e2e_encrypt(k, as_bytes(msg));
  EXPECT_EQ(c1.size(), kNonceSize + msg.size() + kTagSize);
  EXPECT_NE(c1, c2);
  auto p = e2e_decrypt(k, c1);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(as_chars(*p), msg);
}

TEST(Cipher, TamperedOrTruncatedIsInvalidCipherData) {
  const SharedKey k = hex_fixed<32>(kE2eK);
  const Bytes good = hex(kHelloCipher);
  auto expect_invalid = [&](const Bytes& c, const std::string& what) {
    auto p = e2e_decrypt(k, c);
    ASSERT_FALSE(p.ok()) << what;
    EXPECT_EQ(p.status().message(), "invalid cipher data") << what;
  };
  for (size_t len = 0; len < good.size(); ++len) {
    expect_invalid(Bytes(good.begin(), good.begin() + len), "truncated to " + std::to_string(len));
  }
  for (size_t i = 0; i < good.size(); ++i) {  // nonce, body and tag bytes alike
    Bytes bad = good;
    bad[i] ^= 0x80;
    expect_invalid(bad, "flipped byte " + std::to_string(i));
  }
  Bytes longer = good;
  longer.push_back(0);
  expect_invalid(longer, "extra byte");
  SharedKey other = k;
  other[0] ^= 1;
  auto p = e2e_decrypt(other, good);
  EXPECT_FALSE(p.ok());
}

TEST(SharedKeyCache, SameKeyAsDirectEcdhAndBounded) {
  SharedKeyCache cache(key_from(kE2eSk1), /*capacity=*/3);
  auto k = cache.get(hex(kE2ePk2));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(to_hex(*k), kE2eK);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.get(hex(kE2ePk2)), *k);  // hit
  EXPECT_EQ(cache.size(), 1u);

  // Fill past capacity with other valid keys.
  std::vector<PublicKey33> peers;
  for (uint8_t i = 1; i <= 10; ++i) {
    Seed s{};
    s[31] = i;
    auto peer = E2eKey::from_seed(s);
    ASSERT_TRUE(peer.ok());
    peers.push_back(peer->public_key());
    auto shared = cache.get(peer->public_key());
    ASSERT_TRUE(shared.ok());
    EXPECT_EQ(*shared, *cache.own_key().shared_key(peer->public_key()));
    EXPECT_LE(cache.size(), 3u);
  }
  EXPECT_EQ(cache.size(), 3u);
  // Evicted entries are recomputed, still correct.
  EXPECT_EQ(to_hex(*cache.get(hex(kE2ePk2))), kE2eK);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(SharedKeyCache, BadKeysAreErrorsAndNotCached) {
  SharedKeyCache cache(key_from(kE2eSk1), 4);
  EXPECT_FALSE(cache.get(Bytes(33, 0)).ok());
  EXPECT_FALSE(cache.get(Bytes{}).ok());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(SharedKeyCache, ManyThreads) {
  SharedKeyCache cache(key_from(kE2eSk1), 8);
  std::vector<PublicKey33> peers;
  for (uint8_t i = 1; i <= 16; ++i) {
    Seed s{};
    s[0] = i;
    peers.push_back(E2eKey::from_seed(s)->public_key());
  }
  const SharedKey expected0 = *key_from(kE2eSk1).shared_key(peers[0]);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto k = cache.get(peers[(i * 7 + t) % peers.size()]);
        if (!k.ok()) ++wrong;
        auto k0 = cache.get(peers[0]);
        if (!k0.ok() || *k0 != expected0) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), 8u);
}

}  // namespace
}  // namespace rmb::core
