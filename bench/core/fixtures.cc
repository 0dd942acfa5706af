#include "bench/core/fixtures.h"

#include <cstdlib>

namespace rmb::core::bench {
namespace {
Seed seed_of(const char* hex) {
  auto s = from_hex_fixed<32>(hex);
  if (!s.ok()) std::abort();
  return *s;
}
}  // namespace

const Ed25519Signer& signer() {
  static const Ed25519Signer s(seed_of("aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce"));
  return s;
}

const E2eKey& own_e2e() {
  static const E2eKey k =
      *E2eKey::from_seed(seed_of("340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d"));
  return k;
}

const E2eKey& peer_e2e() {
  static const E2eKey k =
      *E2eKey::from_seed(seed_of("af092e458b87bdd7d349ac4407dff60a67c7237c63b196d55b7ee845f5a48617"));
  return k;
}

std::string payload(size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + i % 26);
  return out;
}

rmb::Envelope request_envelope(size_t size) {
  rmb::Envelope env;
  env.set_uid("9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d");
  env.set_timestamp(1700000000);
  env.set_expiration(300);
  env.mutable_source()->set_twin(7);
  env.mutable_destination()->set_twin(55);
  env.mutable_request()->set_command("zos.system.version");
  env.set_schema("application/json");
  env.set_plain(payload(size));
  return env;
}

const EVP_MD* md5() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return c;
}

}  // namespace rmb::core::bench
