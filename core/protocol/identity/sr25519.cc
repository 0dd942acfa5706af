#include "core/protocol/identity/sr25519.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "core/protocol/crypto/merlin.h"

namespace rmb::core {
namespace {

constexpr std::string_view kSigningContext = "substrate";
constexpr size_t kScalarBytes = crypto_core_ristretto255_SCALARBYTES;
constexpr size_t kPointBytes = crypto_core_ristretto255_BYTES;
using Scalar = std::array<uint8_t, kScalarBytes>;
using Point = std::array<uint8_t, kPointBytes>;

void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

// Scalar::from_bytes_mod_order_wide.
Scalar reduce_wide(const std::array<uint8_t, 64>& wide) {
  Scalar out{};
  crypto_core_ristretto255_scalar_reduce(out.data(), wide.data());
  return out;
}

Scalar challenge_scalar(MerlinTranscript& t, std::string_view label) {
  std::array<uint8_t, 64> wide{};
  t.challenge_bytes(label, wide);
  return reduce_wide(wide);
}

// scalar * basepoint; the identity (scalar 0 mod l) encodes as 32 zero bytes.
Point mul_base(const Scalar& scalar) {
  Point out{};
  if (crypto_scalarmult_ristretto255_base(out.data(), scalar.data()) != 0) out.fill(0);
  return out;
}

bool is_canonical_scalar(const Scalar& s) {
  std::array<uint8_t, 64> wide{};
  std::copy(s.begin(), s.end(), wide.begin());
  return reduce_wide(wide) == s;
}

// SigningContext::new("substrate").bytes(message), then the Schnorr-sig prefix that
// sign and verify share.
MerlinTranscript signing_transcript(const AccountId& public_key, ByteView message) {
  MerlinTranscript t("SigningContext");
  t.append_message("", as_bytes(kSigningContext));
  t.append_message("sign-bytes", message);
  t.append_message("proto-name", as_bytes("Schnorr-sig"));
  t.append_message("sign:pk", public_key);
  return t;
}

MerlinTranscript hdkd_transcript() {
  // derived_key_simple / hard_derive_mini_secret_key with an empty index, as sp_core calls them.
  MerlinTranscript t("SchnorrRistrettoHDKD");
  t.append_message("sign-bytes", {});
  return t;
}

}  // namespace

Sr25519SecretKey::~Sr25519SecretKey() {
  sodium_memzero(key.data(), key.size());
  sodium_memzero(nonce.data(), nonce.size());
}

Sr25519SecretKey sr25519_expand(const Seed& mini_secret) {
  ensure_sodium();
  std::array<uint8_t, 64> h{};
  crypto_hash_sha512(h.data(), mini_secret.data(), mini_secret.size());
  Sr25519SecretKey out;
  std::copy_n(h.begin(), 32, out.key.begin());
  out.key[0] &= 248;
  out.key[31] &= 63;
  out.key[31] |= 64;
  // schnorrkel keeps the scalar mod l by dividing the clamped (multiple of 8) value by
  // the cofactor: a 256-bit little-endian right shift by 3. The result is below 2^252 < l.
  uint8_t carry = 0;
  for (int i = 31; i >= 0; --i) {
    const uint8_t low = out.key[i] & 0x07;
    out.key[i] = static_cast<uint8_t>((out.key[i] >> 3) | carry);
    carry = static_cast<uint8_t>(low << 5);
  }
  std::copy_n(h.begin() + 32, 32, out.nonce.begin());
  sodium_memzero(h.data(), h.size());
  return out;
}

AccountId sr25519_public_key(const Sr25519SecretKey& secret) {
  ensure_sodium();
  return mul_base(secret.key);
}

std::array<uint8_t, 64> sr25519_sign(const Sr25519SecretKey& secret, const AccountId& public_key, ByteView message) {
  ensure_sodium();
  MerlinTranscript t = signing_transcript(public_key, message);
  std::array<uint8_t, 64> wide{};
  const std::span<const uint8_t> seeds[] = {secret.nonce};
  t.witness_bytes("signing", wide, seeds);
  Scalar r = reduce_wide(wide);
  sodium_memzero(wide.data(), wide.size());
  const Point big_r = mul_base(r);
  t.append_message("sign:R", big_r);
  const Scalar k = challenge_scalar(t, "sign:c");

  Scalar s{};
  crypto_core_ristretto255_scalar_mul(s.data(), k.data(), secret.key.data());
  crypto_core_ristretto255_scalar_add(s.data(), s.data(), r.data());
  sodium_memzero(r.data(), r.size());

  std::array<uint8_t, 64> sig{};
  std::copy(big_r.begin(), big_r.end(), sig.begin());
  std::copy(s.begin(), s.end(), sig.begin() + 32);
  sig[63] |= 0x80;  // schnorrkel marker: tells these apart from Ed25519 signatures
  return sig;
}

bool sr25519_verify(const AccountId& public_key, ByteView message, ByteView signature64) {
  if (signature64.size() != 64) return false;
  if ((signature64[63] & 0x80) == 0) return false;  // not marked as schnorrkel
  ensure_sodium();
  if (crypto_core_ristretto255_is_valid_point(public_key.data()) != 1) return false;

  Point big_r{};
  std::copy_n(signature64.begin(), 32, big_r.begin());
  Scalar s{};
  std::copy_n(signature64.begin() + 32, 32, s.begin());
  s[31] &= 0x7f;
  if (!is_canonical_scalar(s)) return false;

  MerlinTranscript t = signing_transcript(public_key, message);
  t.append_message("sign:R", big_r);
  const Scalar k = challenge_scalar(t, "sign:c");

  // R == s*B - k*A, compared on the encodings as schnorrkel does.
  const Point sb = mul_base(s);
  Point ka{};
  if (crypto_scalarmult_ristretto255(ka.data(), k.data(), public_key.data()) != 0) ka.fill(0);
  Point expected{};
  if (crypto_core_ristretto255_sub(expected.data(), sb.data(), ka.data()) != 0) return false;
  return sodium_memcmp(expected.data(), big_r.data(), kPointBytes) == 0;
}

Seed sr25519_hard_derive(const Sr25519SecretKey& secret, const ChainCode& chain_code) {
  MerlinTranscript t = hdkd_transcript();
  t.append_message("chain-code", chain_code);
  t.append_message("secret-key", secret.key);
  Seed mini{};
  t.challenge_bytes("HDKD-hard", mini);
  return mini;
}

Sr25519SecretKey sr25519_soft_derive(const Sr25519SecretKey& secret, const ChainCode& chain_code) {
  ensure_sodium();
  const AccountId public_key = sr25519_public_key(secret);
  MerlinTranscript t = hdkd_transcript();
  t.append_message("chain-code", chain_code);
  t.append_message("public-key", public_key);
  const Scalar scalar = challenge_scalar(t, "HDKD-scalar");
  ChainCode next_chain_code{};  // not used by sp_core, but it advances the transcript
  t.challenge_bytes("HDKD-chaincode", next_chain_code);

  Sr25519SecretKey out;
  crypto_core_ristretto255_scalar_add(out.key.data(), secret.key.data(), scalar.data());
  // The nonce only guards against bad signing randomness; schnorrkel draws it from the
  // transcript RNG keyed with the old nonce and the old secret key bytes (key || nonce).
  std::array<uint8_t, 64> old_bytes{};
  std::copy(secret.key.begin(), secret.key.end(), old_bytes.begin());
  std::copy(secret.nonce.begin(), secret.nonce.end(), old_bytes.begin() + 32);
  const std::span<const uint8_t> seeds[] = {secret.nonce, old_bytes};
  t.witness_bytes("HDKD-nonce", out.nonce, seeds);
  sodium_memzero(old_bytes.data(), old_bytes.size());
  return out;
}

Sr25519Signer::Sr25519Signer(const Seed& mini_secret) : Sr25519Signer(sr25519_expand(mini_secret)) {}

Sr25519Signer::Sr25519Signer(const Sr25519SecretKey& secret)
    : secret_(secret), public_key_(sr25519_public_key(secret)) {}

Signature65 Sr25519Signer::sign(ByteView message) const {
  Signature65 out{};
  out[0] = kSr25519Prefix;
  const auto sig = sr25519_sign(secret_, public_key_, message);
  std::copy(sig.begin(), sig.end(), out.begin() + 1);
  return out;
}

}  // namespace rmb::core
