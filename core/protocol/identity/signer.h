#pragma once
// Signing and verification with the 65-byte prefixed layout (PROTOCOL.md §2.2).
// Callers only see these interfaces; the key type is chosen at construction (Signer)
// or by the signature's prefix byte (verify_signature), so sr25519 plugs in later
// without touching callers.
#include <memory>

#include "core/protocol/identity/key_type.h"
#include "core/util/bytes.h"

namespace rmb::core {

class Signer {
 public:
  virtual ~Signer() = default;
  virtual KeyType type() const = 0;
  virtual const AccountId& account() const = 0;
  // Signs `message` as is (callers pass the MD5 digest or the JWT signing input).
  virtual Signature65 sign(ByteView message) const = 0;
};

absl::StatusOr<std::unique_ptr<Signer>> make_signer(KeyType type, const Seed& seed);

// Verifies a prefixed signature of `message` by `account`. Errors carry the texts of
// PROTOCOL.md §8.9 (code 104 reasons): "invalid signature length, expected: 65, found: N",
// "invalid signature type (expected either sr25519 or ed25519)",
// "ed25519 signature verification failed", "sr25519 signature verification failed".
absl::Status verify_signature(const AccountId& account, ByteView message, ByteView signature);

}  // namespace rmb::core
