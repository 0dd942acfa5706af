#pragma once
// The secp256k1 key pair used for end-to-end encryption (PROTOCOL.md §9).
#include <array>

#include "core/protocol/identity/key_type.h"
#include "core/util/bytes.h"

namespace rmb::core {

using PublicKey33 = std::array<uint8_t, 33>;  // SEC1 compressed point
using SharedKey = std::array<uint8_t, 32>;    // AES-256-GCM key

class E2eKey {
 public:
  // The same 32 bytes as the signing seed; fails when not a valid secp256k1 scalar.
  static absl::StatusOr<E2eKey> from_seed(const Seed& seed);

  const PublicKey33& public_key() const { return public_key_; }
  // K = SHA-256(x-coordinate of sk * peer). `peer` is whatever the twin published
  // (normally 33 bytes compressed; 65 uncompressed also parses). Bad point -> error.
  absl::StatusOr<SharedKey> shared_key(ByteView peer_public_key) const;

 private:
  Seed secret_{};
  PublicKey33 public_key_{};
};

}  // namespace rmb::core
