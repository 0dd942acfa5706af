#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace rmb::core {

// 32-byte public key; on chain the AccountId32 of a twin.
using AccountId = std::array<uint8_t, 32>;
// 32-byte secret: ed25519 seed = sr25519 mini-secret = secp256k1 e2e secret (§3.1).
using Seed = std::array<uint8_t, 32>;
// 65-byte signature: prefix byte ('e' or 's') followed by the 64-byte signature (§2.2).
using Signature65 = std::array<uint8_t, 65>;

enum class KeyType : uint8_t { kEd25519, kSr25519 };

inline constexpr uint8_t kEd25519Prefix = 0x65;  // 'e'
inline constexpr uint8_t kSr25519Prefix = 0x73;  // 's'

// Case-insensitive "ed25519" / "sr25519".
absl::StatusOr<KeyType> parse_key_type(std::string_view name);
std::string_view key_type_name(KeyType type);
uint8_t key_type_prefix(KeyType type);

}  // namespace rmb::core
