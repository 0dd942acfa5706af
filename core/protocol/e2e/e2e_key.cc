#include "core/protocol/e2e/e2e_key.h"

#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace rmb::core {
namespace {

// One context for the process. After creation it is only read (key creation, parsing,
// ECDH), which libsecp256k1 documents as safe from many threads.
const secp256k1_context* context() {
  static secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (c == nullptr || sodium_init() < 0) std::abort();
    // Blinding against timing side channels in pubkey creation.
    std::array<uint8_t, 32> blind{};
    randombytes_buf(blind.data(), blind.size());
    if (secp256k1_context_randomize(c, blind.data()) != 1) std::abort();
    return c;
  }();
  return ctx;
}

// The wire key is SHA-256 of the bare x-coordinate (§9.1), not libsecp256k1's default
// SHA-256(version byte || x), so the hash step of secp256k1_ecdh only copies x out.
int copy_x(unsigned char* output, const unsigned char* x32, const unsigned char* /*y32*/, void* /*data*/) {
  std::memcpy(output, x32, 32);
  return 1;
}

}  // namespace

absl::StatusOr<E2eKey> E2eKey::from_seed(const Seed& seed) {
  const secp256k1_context* ctx = context();
  if (secp256k1_ec_seckey_verify(ctx, seed.data()) != 1) {
    return absl::InvalidArgumentError("invalid seed: not a valid secp256k1 secret key");
  }
  secp256k1_pubkey pubkey;
  if (secp256k1_ec_pubkey_create(ctx, &pubkey, seed.data()) != 1) {
    return absl::InvalidArgumentError("invalid seed: not a valid secp256k1 secret key");
  }
  E2eKey key;
  key.secret_ = seed;
  size_t len = key.public_key_.size();
  secp256k1_ec_pubkey_serialize(ctx, key.public_key_.data(), &len, &pubkey, SECP256K1_EC_COMPRESSED);
  return key;
}

absl::StatusOr<SharedKey> E2eKey::shared_key(ByteView peer_public_key) const {
  const secp256k1_context* ctx = context();
  secp256k1_pubkey peer;
  if (peer_public_key.empty() ||
      secp256k1_ec_pubkey_parse(ctx, &peer, peer_public_key.data(), peer_public_key.size()) != 1) {
    return absl::InvalidArgumentError("k256: invalid public key");
  }
  std::array<uint8_t, 32> x{};
  if (secp256k1_ecdh(ctx, x.data(), &peer, secret_.data(), copy_x, nullptr) != 1) {
    return absl::InvalidArgumentError("k256: ecdh failed");
  }
  SharedKey key{};
  crypto_hash_sha256(key.data(), x.data(), x.size());
  sodium_memzero(x.data(), x.size());
  return key;
}

}  // namespace rmb::core
