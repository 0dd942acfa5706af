#pragma once
#include "absl/strings/str_cat.h"

namespace rmb::core {

template <size_t N>
absl::StatusOr<std::array<uint8_t, N>> from_hex_fixed(std::string_view text) {
  auto raw = from_hex(text);
  if (!raw.ok()) return raw.status();
  if (raw->size() != N) {
    return absl::InvalidArgumentError(absl::StrCat("expected ", N, " bytes of hex, got ", raw->size()));
  }
  std::array<uint8_t, N> out{};
  std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

}  // namespace rmb::core
