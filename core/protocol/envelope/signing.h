#pragma once
#include "core/protocol/identity/signer.h"
#include "rmb/types.pb.h"

namespace rmb::core {

// Sets envelope.signature to the 65-byte signature of its challenge digest.
void sign_envelope(rmb::Envelope& envelope, const Signer& signer);
// "message is not signed" when absent; otherwise verify_signature's errors.
absl::Status verify_envelope(const rmb::Envelope& envelope, const AccountId& sender);

}  // namespace rmb::core
