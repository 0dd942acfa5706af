#include "core/protocol/envelope/signing.h"

#include "core/protocol/envelope/challenge.h"

namespace rmb::core {

void sign_envelope(rmb::Envelope& envelope, const Signer& signer) {
  const Digest16 digest = challenge_digest(envelope);
  const Signature65 signature = signer.sign(digest);
  envelope.set_signature(signature.data(), signature.size());
}

absl::Status verify_envelope(const rmb::Envelope& envelope, const AccountId& sender) {
  if (!envelope.has_signature()) return absl::UnauthenticatedError("message is not signed");
  const Digest16 digest = challenge_digest(envelope);
  return verify_signature(sender, digest, as_bytes(envelope.signature()));
}

}  // namespace rmb::core
