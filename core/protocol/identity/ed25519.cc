#include "core/protocol/identity/ed25519.h"

#include <sodium.h>

#include <cstdlib>

namespace rmb::core {
namespace {

// libsodium must be initialised once before any use; sodium_init is idempotent and
// thread-safe, a failure means no usable randomness/CPU features at all.
void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

}  // namespace

Ed25519Signer::Ed25519Signer(const Seed& seed) {
  ensure_sodium();
  crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed.data());
}

Ed25519Signer::~Ed25519Signer() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Signature65 Ed25519Signer::sign(ByteView message) const {
  Signature65 out{};
  out[0] = kEd25519Prefix;
  crypto_sign_detached(out.data() + 1, nullptr, message.data(), message.size(), secret_key_.data());
  return out;
}

bool ed25519_verify(const AccountId& public_key, ByteView message, ByteView signature64) {
  if (signature64.size() != crypto_sign_BYTES) return false;
  ensure_sodium();
  return crypto_sign_verify_detached(signature64.data(), message.data(), message.size(), public_key.data()) == 0;
}

}  // namespace rmb::core
