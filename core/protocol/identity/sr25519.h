#pragma once
// sr25519: schnorrkel Schnorr signatures on Ristretto255 as Substrate uses them (PROTOCOL.md
// §2.2, §3.1): Ed25519-mode mini-secret expansion, signing context "substrate", 64-byte
// signatures R || s with the schnorrkel marker bit, and schnorrkel HDKD. Points and scalars
// come from libsodium's ristretto255; the transcript hashing is core/protocol/crypto/merlin.h.
#include <array>

#include "core/protocol/identity/signer.h"

namespace rmb::core {

using ChainCode = std::array<uint8_t, 32>;

// schnorrkel SecretKey: the scalar (< l, little endian) and the 32-byte signing nonce seed.
// Copies are wiped on destruction.
struct Sr25519SecretKey {
  std::array<uint8_t, 32> key{};
  std::array<uint8_t, 32> nonce{};
  Sr25519SecretKey() = default;
  Sr25519SecretKey(const Sr25519SecretKey&) = default;
  Sr25519SecretKey& operator=(const Sr25519SecretKey&) = default;
  ~Sr25519SecretKey();
};

// MiniSecretKey::expand(ExpansionMode::Ed25519): SHA-512 of the mini-secret, the lower
// half clamped as in Ed25519 and divided by the cofactor 8, the upper half the nonce.
Sr25519SecretKey sr25519_expand(const Seed& mini_secret);
AccountId sr25519_public_key(const Sr25519SecretKey& secret);

// Signs with the signing context "substrate"; randomized (the witness mixes the key's
// nonce with fresh random bytes). Returns R || s with s[31] |= 0x80.
std::array<uint8_t, 64> sr25519_sign(const Sr25519SecretKey& secret, const AccountId& public_key, ByteView message);
// Raw 64-byte signature check (no prefix) under the context "substrate". Rejects a missing
// schnorrkel marker, a non-canonical s and a public key that is not a Ristretto point.
bool sr25519_verify(const AccountId& public_key, ByteView message, ByteView signature64);

// schnorrkel HDKD as sp_core applies it to a secret-URI junction's chain code.
// Hard: SecretKey::hard_derive_mini_secret_key(Some(cc), b"") -> the new mini-secret.
Seed sr25519_hard_derive(const Sr25519SecretKey& secret, const ChainCode& chain_code);
// Soft: SecretKey::derived_key_simple(cc, b"") -> key + H(cc, pk), a fresh random nonce.
Sr25519SecretKey sr25519_soft_derive(const Sr25519SecretKey& secret, const ChainCode& chain_code);

class Sr25519Signer final : public Signer {
 public:
  explicit Sr25519Signer(const Seed& mini_secret);
  explicit Sr25519Signer(const Sr25519SecretKey& secret);
  KeyType type() const override { return KeyType::kSr25519; }
  const AccountId& account() const override { return public_key_; }
  Signature65 sign(ByteView message) const override;

 private:
  Sr25519SecretKey secret_;
  AccountId public_key_{};
};

}  // namespace rmb::core
