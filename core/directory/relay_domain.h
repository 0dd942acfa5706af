#pragma once
// Validation of one relay domain from a twin's relay set (PROTOCOL.md §6.2).
#include <string_view>

#include "absl/status/status.h"

namespace rmb::core {

// The chain's rules applied to a single domain: non-empty, only `a-z A-Z 0-9 - .`, no
// leading or trailing '.', no "..". '_' is refused because on chain it separates the
// domains of a set. Unlike the chain, an optional `:port` suffix (1..65535) is allowed so
// that local test networks can run relays on loopback ports; such entries cannot be
// published to tfchain.
absl::Status validate_relay_domain(std::string_view domain);

}  // namespace rmb::core
