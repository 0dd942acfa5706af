#pragma once
// "twin" / "twin:sid" text form of an Address, used by the Redis JSON API and the CLI.
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rmb/types.pb.h"

namespace rmb::core {

struct AddressText {
  uint32_t twin = 0;
  std::optional<std::string> connection;
};

absl::StatusOr<AddressText> parse_address(std::string_view text);
std::string format_address(const rmb::Address& address);
std::string format_address(uint32_t twin, const std::optional<std::string>& connection);
void set_address(rmb::Address* out, const AddressText& address);

}  // namespace rmb::core
