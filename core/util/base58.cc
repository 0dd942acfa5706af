#include "core/util/base58.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rmb::core {
namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

constexpr std::array<int8_t, 256> make_index() {
  std::array<int8_t, 256> index{};
  index.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    index[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return index;
}
constexpr std::array<int8_t, 256> kIndex = make_index();

}  // namespace

std::string base58_encode(ByteView bytes) {
  // Leading zero bytes map one-to-one to leading '1's; the rest is a base-256 to
  // base-58 conversion on a little-endian digit buffer.
  size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  std::vector<uint8_t> digits;  // base-58 digits, least significant first
  digits.reserve(bytes.size() * 138 / 100 + 1);
  for (size_t i = zeros; i < bytes.size(); ++i) {
    uint32_t carry = bytes[i];
    for (auto& d : digits) {
      carry += static_cast<uint32_t>(d) << 8;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

absl::StatusOr<Bytes> base58_decode(std::string_view text) {
  size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  std::vector<uint8_t> bytes;  // base-256 digits, least significant first
  bytes.reserve(text.size() * 733 / 1000 + 1);
  for (size_t i = ones; i < text.size(); ++i) {
    const int8_t value = kIndex[static_cast<uint8_t>(text[i])];
    if (value < 0) {
      const auto c = static_cast<unsigned char>(text[i]);
      std::string shown =
          (c >= 0x20 && c < 0x7f) ? absl::StrCat("'", std::string(1, text[i]), "'") : absl::StrFormat("byte 0x%02x", c);
      return absl::InvalidArgumentError(absl::StrCat("invalid base58 character ", shown, " at position ", i + 1));
    }
    uint32_t carry = static_cast<uint32_t>(value);
    for (auto& b : bytes) {
      carry += static_cast<uint32_t>(b) * 58;
      b = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  Bytes out(ones, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

}  // namespace rmb::core
