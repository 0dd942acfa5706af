#pragma once
// Base58 with the Bitcoin alphabet, used by SS58 addresses.
//
// Written by hand: no Debian C/C++ library (libsodium, OpenSSL, Boost, absl) provides
// base58, and the algorithm is a short big-number base conversion.
#include <string>
#include <string_view>

#include "core/util/bytes.h"

namespace rmb::core {

std::string base58_encode(ByteView bytes);
// Errors name the first character outside the alphabet and its 1-based position.
absl::StatusOr<Bytes> base58_decode(std::string_view text);

}  // namespace rmb::core
