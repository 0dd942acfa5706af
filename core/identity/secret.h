#pragma once
// Turning the user's secret (-m/--mnemonic) into the 32-byte seed (PROTOCOL.md §3.1).
#include <string_view>

#include "core/identity/key_type.h"
#include "core/util/bytes.h"

namespace rmb::core {

// substrate-bip39: PBKDF2-HMAC-SHA512(entropy, "mnemonic" + password, 2048)[0..32].
Seed mini_secret_from_entropy(ByteView entropy, std::string_view password = "");

// "0x" + 64 hex chars, or a BIP-39 English mnemonic. Derivation paths (//hard, /soft,
// ///password) are not accepted here (they are a later issue); the error says so.
absl::StatusOr<Seed> parse_secret(std::string_view secret);

}  // namespace rmb::core
