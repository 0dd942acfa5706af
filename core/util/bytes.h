#pragma once
// Byte containers and text encodings shared by every part of the core.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rmb::core {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
inline std::string_view as_chars(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Lowercase hex. Decoding accepts an optional "0x" prefix and either case.
std::string to_hex(ByteView bytes);
absl::StatusOr<Bytes> from_hex(std::string_view text);

// Fixed-size decode: error unless `text` holds exactly N bytes.
template <size_t N>
absl::StatusOr<std::array<uint8_t, N>> from_hex_fixed(std::string_view text);

// RFC 4648 base64: standard with padding (Redis JSON `dat`) and url-safe without
// padding (JWT). Both via libsodium.
std::string base64_std(ByteView bytes);
absl::StatusOr<Bytes> from_base64_std(std::string_view text);
std::string base64url(ByteView bytes);
absl::StatusOr<Bytes> from_base64url(std::string_view text);

}  // namespace rmb::core

#include "core/util/bytes_inl.h"
