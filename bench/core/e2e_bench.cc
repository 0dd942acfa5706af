// End-to-end encryption of one envelope payload against the bare primitives:
//  - encrypt/decrypt: shared key from the cache + AES-256-GCM + setting the payload,
//    beside a random nonce + EVP AES-256-GCM with the key already at hand;
//  - ecdh: E2eKey::shared_key beside secp256k1_ec_pubkey_parse + secp256k1_ecdh +
//    SHA-256 (what any implementation must do per key agreement);
//  - encrypt/permsg: rmb-rs style, ECDH recomputed for every message, to set against
//    the cached path.
#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <sodium.h>

#include <cstring>

#include "bench/core/fixtures.h"
#include "core/protocol/e2e/cipher.h"
#include "core/protocol/e2e/shared_key_cache.h"

namespace rmb::core::bench {
namespace {

SharedKeyCache& cache() {
  static SharedKeyCache c(own_e2e());
  return c;
}

SharedKey bare_key() { return *own_e2e().shared_key(peer_e2e().public_key()); }

void BM_encrypt_ours(benchmark::State& state) {
  rmb::Envelope env;
  const std::string plain = payload(state.range(0));
  const PublicKey33& peer = peer_e2e().public_key();
  for (auto _ : state) {
    auto key = cache().get(peer);
    const Bytes cipher = e2e_encrypt(*key, as_bytes(plain));
    env.set_cipher(cipher.data(), cipher.size());
    benchmark::DoNotOptimize(env.cipher().data());
  }
}

void BM_encrypt_permsg(benchmark::State& state) {
  rmb::Envelope env;
  const std::string plain = payload(state.range(0));
  const PublicKey33& peer = peer_e2e().public_key();
  for (auto _ : state) {
    auto key = own_e2e().shared_key(peer);
    const Bytes cipher = e2e_encrypt(*key, as_bytes(plain));
    env.set_cipher(cipher.data(), cipher.size());
    benchmark::DoNotOptimize(env.cipher().data());
  }
}

void BM_encrypt_bare(benchmark::State& state) {
  const std::string plain = payload(state.range(0));
  const SharedKey key = bare_key();
  std::vector<uint8_t> out(12 + plain.size() + 16);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  for (auto _ : state) {
    randombytes_buf(out.data(), 12);
    int len = 0;
    EVP_EncryptInit_ex(ctx, aes_256_gcm(), nullptr, key.data(), out.data());
    EVP_EncryptUpdate(ctx, out.data() + 12, &len, reinterpret_cast<const uint8_t*>(plain.data()),
                      static_cast<int>(plain.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + 12 + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + 12 + plain.size());
    benchmark::DoNotOptimize(out.data());
  }
  EVP_CIPHER_CTX_free(ctx);
}

void BM_decrypt_ours(benchmark::State& state) {
  rmb::Envelope env;
  const std::string plain = payload(state.range(0));
  const PublicKey33& peer = peer_e2e().public_key();
  const Bytes cipher = e2e_encrypt(bare_key(), as_bytes(plain));
  for (auto _ : state) {
    auto key = cache().get(peer);
    auto out = e2e_decrypt(*key, cipher);
    if (!out.ok()) state.SkipWithError("decrypt failed");
    env.set_plain(out->data(), out->size());
    benchmark::DoNotOptimize(env.plain().data());
  }
}

void BM_decrypt_bare(benchmark::State& state) {
  const std::string plain = payload(state.range(0));
  const SharedKey key = bare_key();
  Bytes cipher = e2e_encrypt(key, as_bytes(plain));
  std::vector<uint8_t> out(plain.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const size_t body = cipher.size() - 28;
  for (auto _ : state) {
    int len = 0;
    EVP_DecryptInit_ex(ctx, aes_256_gcm(), nullptr, key.data(), cipher.data());
    EVP_DecryptUpdate(ctx, out.data(), &len, cipher.data() + 12, static_cast<int>(body));
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, cipher.data() + 12 + body);
    if (EVP_DecryptFinal_ex(ctx, out.data() + len, &len) != 1) state.SkipWithError("bad tag");
    benchmark::DoNotOptimize(out.data());
  }
  EVP_CIPHER_CTX_free(ctx);
}

void BM_ecdh_ours(benchmark::State& state) {
  const PublicKey33& peer = peer_e2e().public_key();
  for (auto _ : state) {
    auto key = own_e2e().shared_key(peer);
    benchmark::DoNotOptimize(key);
  }
}

int copy_x(unsigned char* out, const unsigned char* x, const unsigned char*, void*) {
  std::memcpy(out, x, 32);
  return 1;
}

void BM_ecdh_bare(benchmark::State& state) {
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  const PublicKey33& peer = peer_e2e().public_key();
  auto sk = from_hex_fixed<32>("340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d");
  std::array<uint8_t, 32> x{};
  std::array<uint8_t, 32> key{};
  for (auto _ : state) {
    secp256k1_pubkey pub;
    if (secp256k1_ec_pubkey_parse(ctx, &pub, peer.data(), peer.size()) != 1 ||
        secp256k1_ecdh(ctx, x.data(), &pub, sk->data(), copy_x, nullptr) != 1) {
      state.SkipWithError("ecdh failed");
    }
    crypto_hash_sha256(key.data(), x.data(), x.size());
    benchmark::DoNotOptimize(key.data());
  }
  secp256k1_context_destroy(ctx);
}

void register_all() {
  for (int64_t size : kSizes) {
    benchmark::RegisterBenchmark("encrypt/ours", BM_encrypt_ours)->Arg(size);
    benchmark::RegisterBenchmark("encrypt/bare", BM_encrypt_bare)->Arg(size);
    benchmark::RegisterBenchmark("encrypt/permsg", BM_encrypt_permsg)->Arg(size);
  }
  for (int64_t size : kSizes) {
    benchmark::RegisterBenchmark("decrypt/ours", BM_decrypt_ours)->Arg(size);
    benchmark::RegisterBenchmark("decrypt/bare", BM_decrypt_bare)->Arg(size);
  }
  benchmark::RegisterBenchmark("ecdh/ours", BM_ecdh_ours);
  benchmark::RegisterBenchmark("ecdh/bare", BM_ecdh_bare);
}

[[maybe_unused]] const bool registered = (register_all(), true);

}  // namespace
}  // namespace rmb::core::bench
