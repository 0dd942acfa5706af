#include "core/protocol/identity/secret.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/protocol/identity/mnemonic.h"

namespace rmb::core {
namespace {

constexpr int kPbkdf2Rounds = 2048;

bool looks_like_derivation(std::string_view secret) {
  // Secret URIs put junctions after the phrase (`words//hard/soft///password`) or use them
  // alone (`//Alice`). Neither BIP-39 words nor hex contain '/'.
  return secret.find('/') != std::string_view::npos;
}

bool is_hex_digit(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

absl::StatusOr<Seed> parse_hex_seed(std::string_view hex) {
  for (size_t i = 0; i < hex.size(); ++i) {
    if (!is_hex_digit(hex[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid secret: character ", i + 3, " of the 0x seed is not a hex digit"));
    }
  }
  if (hex.size() != 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid secret: a 0x seed must be 32 bytes (64 hex digits), got ", hex.size(), " hex digits"));
  }
  auto seed = from_hex_fixed<32>(hex);
  if (!seed.ok()) return absl::InvalidArgumentError(absl::StrCat("invalid secret: ", seed.status().message()));
  return *seed;
}

}  // namespace

Seed mini_secret_from_entropy(ByteView entropy, std::string_view password) {
  // substrate-bip39 runs PBKDF2 over the entropy, not over the sentence as standard
  // BIP-39 does (PROTOCOL.md §3.1); the mini-secret is the first half of the 64-byte output.
  const std::string salt = absl::StrCat("mnemonic", absl::string_view(password.data(), password.size()));
  std::array<uint8_t, 64> seed64{};
  // Only fails on allocation failure inside OpenSSL; the output stays zero then, which
  // callers cannot tell apart, so treat it as fatal rather than return a weak key.
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(entropy.data()), static_cast<int>(entropy.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        kPbkdf2Rounds, EVP_sha512(), static_cast<int>(seed64.size()), seed64.data()) != 1) {
    std::abort();
  }
  Seed mini{};
  std::copy_n(seed64.begin(), mini.size(), mini.begin());
  sodium_memzero(seed64.data(), seed64.size());
  return mini;
}

absl::StatusOr<Seed> parse_secret(std::string_view secret) {
  // Tolerate the trailing newline of a secret read from a file or pasted.
  std::string_view text = secret;
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) {
    return absl::InvalidArgumentError("invalid secret: it is empty (expected a mnemonic or 0x + 64 hex digits)");
  }
  if (looks_like_derivation(text)) {
    return absl::InvalidArgumentError(
        "invalid secret: derivation paths (//hard, /soft, ///password) are not supported yet");
  }
  if (text.starts_with("0x") || text.starts_with("0X")) return parse_hex_seed(text.substr(2));

  auto entropy = mnemonic_to_entropy(text);
  if (!entropy.ok()) return entropy.status();
  Seed seed = mini_secret_from_entropy(*entropy);
  sodium_memzero(entropy->data(), entropy->size());
  return seed;
}

}  // namespace rmb::core
