#pragma once
#include "core/protocol/identity/signer.h"

namespace rmb::core {

// RFC 8032 Ed25519 on libsodium; the seed is the 32-byte mini-secret.
class Ed25519Signer final : public Signer {
 public:
  explicit Ed25519Signer(const Seed& seed);
  ~Ed25519Signer() override;
  KeyType type() const override { return KeyType::kEd25519; }
  const AccountId& account() const override { return public_key_; }
  Signature65 sign(ByteView message) const override;

 private:
  AccountId public_key_{};
  std::array<uint8_t, 64> secret_key_{};
};

// Raw 64-byte signature check (no prefix).
bool ed25519_verify(const AccountId& public_key, ByteView message, ByteView signature64);

}  // namespace rmb::core
