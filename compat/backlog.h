#pragma once
// msgbus.backlog.<uid>: the request tracker rmb-rs keeps in Redis (PROTOCOL.md §1.2, §8.5
// step 6). This gateway correlates in memory and never reads it back; it is written only
// so that tools which look at these keys see what they would see with rmb-rs.
#include <cstdint>
#include <optional>
#include <string>

namespace rmb::compat {

// 0 -> 300, > 1800 -> 1800 (§8.5 step 6).
uint64_t backlog_ttl(int64_t ttl);
// The protobuf rmb.Backlog bytes (module "", so it is omitted, as rmb-rs encodes it).
std::string encode_backlog(const std::string& uid, const std::optional<std::string>& reference,
                           const std::string& reply_to, uint64_t ttl);

}  // namespace rmb::compat
