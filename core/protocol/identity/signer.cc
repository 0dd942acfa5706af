#include "core/protocol/identity/signer.h"

#include "absl/strings/str_cat.h"
#include "core/protocol/identity/ed25519.h"
#include "core/protocol/identity/sr25519.h"

namespace rmb::core {

absl::StatusOr<std::unique_ptr<Signer>> make_signer(KeyType type, const Seed& seed) {
  switch (type) {
    case KeyType::kEd25519:
      return std::make_unique<Ed25519Signer>(seed);
    case KeyType::kSr25519:
      return std::make_unique<Sr25519Signer>(seed);
  }
  return absl::InvalidArgumentError("unknown key type");
}

absl::Status verify_signature(const AccountId& account, ByteView message, ByteView signature) {
  if (signature.size() != std::tuple_size_v<Signature65>) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid signature length, expected: 65, found: ", signature.size()));
  }
  switch (signature[0]) {
    case kEd25519Prefix:
      if (!ed25519_verify(account, message, signature.subspan(1))) {
        return absl::UnauthenticatedError("ed25519 signature verification failed");
      }
      return absl::OkStatus();
    case kSr25519Prefix:
      if (!sr25519_verify(account, message, signature.subspan(1))) {
        return absl::UnauthenticatedError("sr25519 signature verification failed");
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("invalid signature type (expected either sr25519 or ed25519)");
  }
}

}  // namespace rmb::core
