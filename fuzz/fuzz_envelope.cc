// Envelope bytes off the wire: parse, challenge, verify, decrypt. Nothing may crash, and
// a few properties must hold for every input that parses:
//  - re-serialising and re-parsing keeps the challenge digest (nothing signed is lost);
//  - an envelope we sign verifies, and flipping one signature byte makes it fail.
#include <cstdint>
#include <cstdlib>

#include "core/protocol/e2e/cipher.h"
#include "core/protocol/envelope/address.h"
#include "core/protocol/envelope/challenge.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/envelope/ttl.h"
#include "core/protocol/identity/ed25519.h"
#include "fuzz/harness.h"

namespace {

using namespace rmb::core;

const Ed25519Signer& signer() { return rmb::fuzz::appendix_a_signer(); }
using rmb::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rmb::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rmb::Envelope env;
  if (!env.ParseFromArray(data, static_cast<int>(size))) return 0;

  const Digest16 digest = challenge_digest(env);
  (void)verify_envelope(env, signer().account());
  (void)format_address(env.source());
  (void)is_expired(env, 1700000000);
  if (env.has_cipher()) {
    const SharedKey key{};
    (void)e2e_decrypt(key, as_bytes(env.cipher()));
  }

  rmb::Envelope again;
  require(again.ParseFromString(env.SerializeAsString()));
  require(challenge_digest(again) == digest);

  sign_envelope(env, signer());
  require(verify_envelope(env, signer().account()).ok());
  std::string sig = env.signature();
  sig[1 + size % 64] ^= 0x01;
  env.set_signature(sig);
  require(!verify_envelope(env, signer().account()).ok());
  return 0;
}
