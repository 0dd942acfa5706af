#include "core/util/bytes.h"

#include <sodium.h>

namespace rmb::core {
namespace {

std::string encode64(ByteView bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // libsodium counts the terminating NUL
  return out;
}

absl::StatusOr<Bytes> decode64(std::string_view text, int variant, const char* what) {
  Bytes out(text.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return absl::InvalidArgumentError(std::string("invalid ") + what + " encoding");
  }
  out.resize(len);
  return out;
}

}  // namespace

std::string to_hex(ByteView bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

absl::StatusOr<Bytes> from_hex(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.size() % 2 != 0) return absl::InvalidArgumentError("hex text has an odd length");
  if (text.empty()) return Bytes{};  // sodium_hex2bin must not get a null output pointer
  Bytes out(text.size() / 2);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end) != 0 ||
      end != text.data() + text.size()) {
    return absl::InvalidArgumentError("invalid hex text");
  }
  out.resize(len);
  return out;
}

std::string base64_std(ByteView bytes) { return encode64(bytes, sodium_base64_VARIANT_ORIGINAL); }
absl::StatusOr<Bytes> from_base64_std(std::string_view text) {
  return decode64(text, sodium_base64_VARIANT_ORIGINAL, "base64");
}
std::string base64url(ByteView bytes) { return encode64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }
absl::StatusOr<Bytes> from_base64url(std::string_view text) {
  return decode64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING, "base64url");
}

}  // namespace rmb::core
