// Signing and verifying one envelope (challenge + MD5 + ed25519) against the bare
// primitives on the same bytes: OpenSSL MD5 of the ready-made challenge stream plus
// libsodium crypto_sign_detached / crypto_sign_verify_detached on the 16-byte digest.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "bench/core/fixtures.h"
#include "core/protocol/envelope/challenge.h"
#include "core/protocol/envelope/signing.h"

namespace rmb::core::bench {
namespace {

// libsodium's expanded secret key for the bare path (same key as signer()).
struct BareKey {
  std::array<uint8_t, 32> pk{};
  std::array<uint8_t, 64> sk{};
  BareKey() {
    auto seed = from_hex_fixed<32>("aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce");
    crypto_sign_seed_keypair(pk.data(), sk.data(), seed->data());
  }
};
const BareKey& bare_key() {
  static const BareKey k;
  return k;
}

Digest16 bare_md5(const std::string& bytes, EVP_MD_CTX* ctx) {
  Digest16 d{};
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, md5(), nullptr);
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx, d.data(), &len);
  return d;
}

void BM_sign_ours(benchmark::State& state) {
  rmb::Envelope env = request_envelope(state.range(0));
  for (auto _ : state) {
    sign_envelope(env, signer());
    benchmark::DoNotOptimize(env.signature().data());
  }
}

void BM_sign_bare(benchmark::State& state) {
  const std::string bytes = challenge_bytes(request_envelope(state.range(0)));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::array<uint8_t, 64> sig{};
  for (auto _ : state) {
    const Digest16 d = bare_md5(bytes, ctx);
    crypto_sign_detached(sig.data(), nullptr, d.data(), d.size(), bare_key().sk.data());
    benchmark::DoNotOptimize(sig.data());
  }
  EVP_MD_CTX_free(ctx);
}

void BM_verify_ours(benchmark::State& state) {
  rmb::Envelope env = request_envelope(state.range(0));
  sign_envelope(env, signer());
  const AccountId account = signer().account();
  for (auto _ : state) {
    absl::Status st = verify_envelope(env, account);
    if (!st.ok()) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(st);
  }
}

void BM_verify_bare(benchmark::State& state) {
  rmb::Envelope env = request_envelope(state.range(0));
  sign_envelope(env, signer());
  const std::string bytes = challenge_bytes(env);
  const auto* sig = reinterpret_cast<const uint8_t*>(env.signature().data()) + 1;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    const Digest16 d = bare_md5(bytes, ctx);
    const int rc = crypto_sign_verify_detached(sig, d.data(), d.size(), bare_key().pk.data());
    if (rc != 0) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(rc);
  }
  EVP_MD_CTX_free(ctx);
}

// Pairs registered side by side per size so they run close together in time.
void register_all() {
  for (int64_t size : kSizes) {
    benchmark::RegisterBenchmark("sign/ours", BM_sign_ours)->Arg(size);
    benchmark::RegisterBenchmark("sign/bare", BM_sign_bare)->Arg(size);
  }
  for (int64_t size : kSizes) {
    benchmark::RegisterBenchmark("verify/ours", BM_verify_ours)->Arg(size);
    benchmark::RegisterBenchmark("verify/bare", BM_verify_bare)->Arg(size);
  }
}

[[maybe_unused]] const bool registered = (register_all(), true);

}  // namespace
}  // namespace rmb::core::bench
