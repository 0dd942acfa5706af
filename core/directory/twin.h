#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/protocol/identity/key_type.h"
#include "core/util/bytes.h"

namespace rmb::core {

// A twin as the directory publishes it (tfchain Twin, PROTOCOL.md §10.1).
struct Twin {
  uint32_t id = 0;
  AccountId account{};
  std::set<std::string> relays;  // chain `relay` split on '_'; empty = not set
  std::optional<Bytes> pk;       // e2e public key (33-byte compressed), if published
  bool operator==(const Twin&) const = default;
};

}  // namespace rmb::core
