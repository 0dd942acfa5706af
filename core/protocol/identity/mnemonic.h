#pragma once
// BIP-39 English mnemonics (word list taken from Debian's python3-mnemonic at build time).
#include <string>
#include <string_view>

#include "core/util/bytes.h"

namespace rmb::core {

// Phrase -> entropy (16..32 bytes for 12..24 words). Validates word count, every word
// (the error names the bad word and its position) and the checksum.
absl::StatusOr<Bytes> mnemonic_to_entropy(std::string_view phrase);
// Entropy (16, 20, 24, 28 or 32 bytes) -> phrase.
absl::StatusOr<std::string> entropy_to_mnemonic(ByteView entropy);
// Fresh phrase from libsodium randomness; words must be 12, 15, 18, 21 or 24.
absl::StatusOr<std::string> generate_mnemonic(int words);

}  // namespace rmb::core
