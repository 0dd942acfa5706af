#include "core/protocol/envelope/address.h"

#include <charconv>

#include "absl/strings/str_cat.h"

namespace rmb::core {

absl::StatusOr<AddressText> parse_address(std::string_view text) {
  AddressText out;
  const size_t colon = text.find(':');
  const std::string_view twin = text.substr(0, colon);
  const char* end = twin.data() + twin.size();
  // Decimal digits only, like Rust's u32::from_str minus the optional '+'.
  auto res = std::from_chars(twin.data(), end, out.twin);
  if (twin.empty() || twin[0] == '+' || twin[0] == '-' || res.ec != std::errc() || res.ptr != end) {
    return absl::InvalidArgumentError(absl::StrCat("invalid address '", std::string(text), "': twin id is not a u32"));
  }
  // "7:" is the empty session, which the relay keeps apart from "no session" (§4.3).
  if (colon != std::string_view::npos) out.connection = std::string(text.substr(colon + 1));
  return out;
}

std::string format_address(uint32_t twin, const std::optional<std::string>& connection) {
  if (!connection) return absl::StrCat(twin);
  return absl::StrCat(twin, ":", *connection);
}

std::string format_address(const rmb::Address& address) {
  if (!address.has_connection()) return absl::StrCat(address.twin());
  return absl::StrCat(address.twin(), ":", address.connection());
}

void set_address(rmb::Address* out, const AddressText& address) {
  out->set_twin(address.twin);
  if (address.connection) {
    out->set_connection(*address.connection);
  } else {
    out->clear_connection();
  }
}

}  // namespace rmb::core
