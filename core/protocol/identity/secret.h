#pragma once
// Turning the user's secret (-m/--mnemonic) into the 32-byte seed (PROTOCOL.md §3.1).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/identity/key_type.h"
#include "core/protocol/identity/signer.h"
#include "core/util/bytes.h"

namespace rmb::core {

// substrate-bip39: PBKDF2-HMAC-SHA512(entropy, "mnemonic" + password, 2048)[0..32].
Seed mini_secret_from_entropy(ByteView entropy, std::string_view password = "");

// "0x" + 64 hex chars, or a BIP-39 English mnemonic: the e2e key's secret (§3.1), which
// rmb-peer parses without derivation paths; //hard, /soft and ///password are refused
// with an error that says so.
absl::StatusOr<Seed> parse_secret(std::string_view secret);

// The Substrate dev phrase, used when a secret URI has no phrase (`//Alice`).
inline constexpr std::string_view kDevPhrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

// One junction of a secret URI: `//name` (hard) or `/name` (soft), already turned into
// its 32-byte chain code (SCALE of the u64 or the string, zero-padded, or blake2b-256 of
// the encoding when longer than 32 bytes).
struct DeriveJunction {
  bool hard = false;
  std::array<uint8_t, 32> chain_code{};
};

// `<phrase-or-0xhex>[//hard|/soft]*[///password]`, split the way sp_core's SecretUri is.
// The phrase and password are wiped on destruction.
struct SecretUri {
  std::string phrase;  // kDevPhrase when the URI starts with '/'
  std::vector<DeriveJunction> path;
  std::optional<std::string> password;
  SecretUri() = default;
  SecretUri(const SecretUri&) = default;
  SecretUri& operator=(const SecretUri&) = default;
  ~SecretUri();
};

absl::StatusOr<SecretUri> parse_secret_uri(std::string_view uri);
DeriveJunction derive_junction(std::string_view text, bool hard);

// sp_core `Pair::from_string(uri, None)` for the signing key: phrase (with the URI's
// password in the PBKDF2 salt) or 0x seed (password ignored, as sp_core does), then the
// path. ed25519 allows hard junctions only; sr25519 hard and soft.
absl::StatusOr<std::unique_ptr<Signer>> signer_from_uri(KeyType type, std::string_view uri);

}  // namespace rmb::core
