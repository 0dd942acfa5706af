#pragma once
// AES-256-GCM payload format: nonce(12) || ciphertext || tag(16), no AAD (PROTOCOL.md §9.1).
#include "core/protocol/e2e/e2e_key.h"

namespace rmb::core {

inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kTagSize = 16;

// Random nonce from libsodium.
Bytes e2e_encrypt(const SharedKey& key, ByteView plain);
// Deterministic variant for known-answer tests.
Bytes e2e_encrypt_with_nonce(const SharedKey& key, ByteView plain, const std::array<uint8_t, kNonceSize>& nonce);
// Error text "invalid cipher data" for short input or a tag mismatch.
absl::StatusOr<Bytes> e2e_decrypt(const SharedKey& key, ByteView cipher);

}  // namespace rmb::core
