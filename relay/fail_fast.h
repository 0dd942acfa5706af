#pragma once
#include <string_view>

namespace rmb::relay {

// True when `tags` holds the token `fail-fast` (PROTOCOL.md §5.4 notes): split on commas
// and Unicode whitespace, compare case-sensitively.
bool has_fail_fast(std::string_view tags);

}  // namespace rmb::relay
