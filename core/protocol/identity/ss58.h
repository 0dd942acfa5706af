#pragma once
// SS58 addresses (tfchain prefix 42). Only for people and logs; never on the RMB wire.
#include <string>
#include <string_view>

#include "core/protocol/identity/key_type.h"

namespace rmb::core {

inline constexpr uint16_t kTfchainSs58Prefix = 42;

std::string ss58_encode(const AccountId& account, uint16_t prefix = kTfchainSs58Prefix);
// Checks the base58 alphabet, length, prefix and the blake2b-512("SS58PRE"...) checksum.
absl::StatusOr<AccountId> ss58_decode(std::string_view address, uint16_t expected_prefix = kTfchainSs58Prefix);
// Accepts 64 hex chars (optional 0x) or an SS58 address.
absl::StatusOr<AccountId> parse_account(std::string_view text);

}  // namespace rmb::core
