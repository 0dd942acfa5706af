#pragma once
// A relay session: (twin, sid). sid absent ("no session", what rmb-peer uses) and sid ""
// are different sessions (PROTOCOL.md §4.3 step 8).
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace rmb::relay {

struct SessionId {
  uint32_t twin = 0;
  std::optional<std::string> sid;

  auto operator<=>(const SessionId&) const = default;
  bool operator==(const SessionId&) const = default;
  // "7" or "7:sid" (display form, also the suffix of the Redis stream key).
  std::string to_string() const { return sid ? std::to_string(twin) + ":" + *sid : std::to_string(twin); }
};

struct SessionIdHash {
  size_t operator()(const SessionId& id) const {
    size_t h = std::hash<uint32_t>{}(id.twin);
    if (id.sid) h ^= std::hash<std::string>{}(*id.sid) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  }
};

}  // namespace rmb::relay
