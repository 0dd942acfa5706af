#pragma once
// The crypto an rmb call cannot avoid, timed in this process with the library code the
// peers run (core/protocol: sign_envelope, verify_envelope, e2e_encrypt, e2e_decrypt), on
// envelopes like theirs. Per call: the caller's peer encrypts and signs the request and
// verifies and decrypts the reply; the service's peer does the mirror image: 2 signs,
// 2 verifies, 2 AES-256-GCM seals and 2 opens (ECDH is cached per peer, so not counted).
// Timed as thread CPU time, which a busy shared machine inflates far less than wall time.
#include <cstddef>

#include "absl/status/statusor.h"
#include "core/protocol/identity/key_type.h"

namespace rmb::bench {

struct CryptoFloor {
  double sign_us = 0;     // sign_envelope of a request envelope carrying the cipher
  double verify_us = 0;   // verify_envelope of the same
  double encrypt_us = 0;  // e2e_encrypt of the payload
  double decrypt_us = 0;  // e2e_decrypt of it
  // One side of a call (what each peer must do): sign + verify + encrypt + decrypt.
  double per_side_us() const { return sign_us + verify_us + encrypt_us + decrypt_us; }
  // CPU per call, both peers; also the serial chain a single call waits on.
  double per_call_us() const { return 2 * per_side_us(); }
  // cores x 1e6 / per_call_us: calls/s the machine could do on crypto alone.
  double bound_calls_per_second(size_t cores) const {
    return per_call_us() > 0 ? static_cast<double>(cores) * 1e6 / per_call_us() : 0;
  }
};

// Each operation runs for about `seconds_each` (at least 50 times) of thread CPU time.
absl::StatusOr<CryptoFloor> measure_crypto_floor(core::KeyType type, size_t payload_bytes, double seconds_each = 0.3);

}  // namespace rmb::bench
