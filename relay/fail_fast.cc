#include "relay/fail_fast.h"

#include <cstdint>

namespace rmb::relay {
namespace {

// Length of the separator (comma or Unicode White_Space, as Rust's char::is_whitespace)
// starting at `s[i]`, or 0 when `s[i]` starts a token character. Invalid UTF-8 is not a
// separator: it is part of a token that can then never equal "fail-fast".
size_t separator_length(std::string_view s, size_t i) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  if (b0 == ',' || b0 == ' ' || (b0 >= 0x09 && b0 <= 0x0d)) return 1;
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<uint8_t>(s[i + k]) : 0; };
  if (b0 == 0xc2 && (at(1) == 0x85 || at(1) == 0xa0)) return 2;  // U+0085, U+00A0
  if (b0 == 0xe1 && at(1) == 0x9a && at(2) == 0x80) return 3;    // U+1680
  if (b0 == 0xe2 && at(1) == 0x80) {
    const uint8_t b2 = at(2);
    if ((b2 >= 0x80 && b2 <= 0x8a) || b2 == 0xa8 || b2 == 0xa9 || b2 == 0xaf)
      return 3;  // U+2000-200A, 2028, 2029, 202F
  }
  if (b0 == 0xe2 && at(1) == 0x81 && at(2) == 0x9f) return 3;  // U+205F
  if (b0 == 0xe3 && at(1) == 0x80 && at(2) == 0x80) return 3;  // U+3000
  return 0;
}

}  // namespace

bool has_fail_fast(std::string_view tags) {
  size_t i = 0;
  size_t start = 0;
  while (i <= tags.size()) {
    size_t sep = i < tags.size() ? separator_length(tags, i) : 1;
    if (sep == 0) {
      ++i;
      continue;
    }
    if (tags.substr(start, i - start) == "fail-fast") return true;
    i += sep;
    start = i;
  }
  return false;
}

}  // namespace rmb::relay
