#include "core/protocol/identity/key_type.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace rmb::core {

absl::StatusOr<KeyType> parse_key_type(std::string_view name) {
  if (absl::EqualsIgnoreCase(absl::string_view(name.data(), name.size()), "ed25519")) return KeyType::kEd25519;
  if (absl::EqualsIgnoreCase(absl::string_view(name.data(), name.size()), "sr25519")) return KeyType::kSr25519;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown key type '", std::string(name), "' (expected ed25519 or sr25519)"));
}

std::string_view key_type_name(KeyType type) { return type == KeyType::kEd25519 ? "ed25519" : "sr25519"; }

uint8_t key_type_prefix(KeyType type) { return type == KeyType::kEd25519 ? kEd25519Prefix : kSr25519Prefix; }

}  // namespace rmb::core
