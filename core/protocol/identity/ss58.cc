#include "core/protocol/identity/ss58.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "core/util/base58.h"

namespace rmb::core {
namespace {

constexpr std::string_view kChecksumPrefix = "SS58PRE";
constexpr size_t kChecksumLen = 2;      // for 32-byte account ids
constexpr uint16_t kMaxPrefix = 16383;  // 14 bits: the two-byte form's range
// Longest valid address: 2 prefix + 32 account + 2 checksum bytes = 36 bytes = 49 chars.
// Anything much longer is rejected before the quadratic base58 decode.
constexpr size_t kMaxAddressChars = 64;

// Prefixes below 64 take one byte; 64..16383 take two, in the bit layout Substrate
// (and polkadot.js) use: the first byte carries bit 6 as the "two-byte" marker.
Bytes prefix_bytes(uint16_t prefix) {
  if (prefix < 64) return {static_cast<uint8_t>(prefix)};
  return {static_cast<uint8_t>(((prefix & 0x00fc) >> 2) | 0x40),
          static_cast<uint8_t>((prefix >> 8) | ((prefix & 0x0003) << 6))};
}

std::array<uint8_t, kChecksumLen> checksum(ByteView prefix_and_account) {
  std::array<uint8_t, crypto_generichash_BYTES_MAX> digest{};  // blake2b-512
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, digest.size());
  crypto_generichash_update(&state, as_bytes(kChecksumPrefix).data(), kChecksumPrefix.size());
  crypto_generichash_update(&state, prefix_and_account.data(), prefix_and_account.size());
  crypto_generichash_final(&state, digest.data(), digest.size());
  return {digest[0], digest[1]};
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}

}  // namespace

std::string ss58_encode(const AccountId& account, uint16_t prefix) {
  // Prefixes above 16383 cannot be represented; callers pass constants, so clamp to
  // 14 bits rather than emit an address no decoder accepts.
  Bytes data = prefix_bytes(static_cast<uint16_t>(prefix & kMaxPrefix));
  data.insert(data.end(), account.begin(), account.end());
  const auto sum = checksum(data);
  data.insert(data.end(), sum.begin(), sum.end());
  return base58_encode(data);
}

absl::StatusOr<AccountId> ss58_decode(std::string_view address, uint16_t expected_prefix) {
  if (address.empty()) return absl::InvalidArgumentError("invalid SS58 address: it is empty");
  if (address.size() > kMaxAddressChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid SS58 address: ", address.size(), " characters is too long for an account id"));
  }
  auto data = base58_decode(address);
  if (!data.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid SS58 address: ", data.status().message()));
  }
  const size_t prefix_len = (!data->empty() && ((*data)[0] & 0x40)) ? 2 : 1;
  const size_t want = prefix_len + sizeof(AccountId) + kChecksumLen;
  if (data->size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("invalid SS58 address: it decodes to ", data->size(),
                                                   " bytes, expected ", want, " for a 32-byte account id"));
  }
  const Bytes& d = *data;
  if (d[0] & 0x80) {
    return absl::InvalidArgumentError("invalid SS58 address: reserved network prefix byte");
  }
  const uint16_t prefix =
      prefix_len == 1 ? d[0] : static_cast<uint16_t>(((d[0] & 0x3f) << 2) | (d[1] >> 6) | ((d[1] & 0x3f) << 8));
  const ByteView body(d.data(), prefix_len + sizeof(AccountId));
  const auto sum = checksum(body);
  if (!std::equal(sum.begin(), sum.end(), d.begin() + static_cast<std::ptrdiff_t>(body.size()))) {
    return absl::InvalidArgumentError("invalid SS58 address: checksum mismatch");
  }
  if (prefix != expected_prefix) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid SS58 address: network prefix ", prefix, ", expected ", expected_prefix));
  }
  AccountId account{};
  std::copy_n(d.begin() + static_cast<std::ptrdiff_t>(prefix_len), account.size(), account.begin());
  return account;
}

absl::StatusOr<AccountId> parse_account(std::string_view text) {
  std::string_view hex = text;
  if (hex.starts_with("0x") || hex.starts_with("0X")) hex.remove_prefix(2);
  if (hex.size() == 2 * sizeof(AccountId) && is_hex(hex)) return from_hex_fixed<32>(hex);
  if (hex.size() != text.size()) {
    return absl::InvalidArgumentError(
        hex.size() == 2 * sizeof(AccountId)
            ? std::string("invalid account: a 0x account must be 64 hex digits, got non-hex characters")
            : absl::StrCat("invalid account: a 0x account must be 64 hex digits, got ", hex.size(), " characters"));
  }
  auto account = ss58_decode(text);
  if (!account.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid account (expected 64 hex digits or an SS58 address): ", account.status().message()));
  }
  return account;
}

}  // namespace rmb::core
