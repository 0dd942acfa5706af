#pragma once
// msgbus.backlog.<uid>: the request tracker rmb-rs keeps in Redis (PROTOCOL.md §1.2, §8.5
// step 6), written for every request sent. In-process the gateway correlates answers in
// memory; the backlog is read back only for a reply that matches no request pending in
// this process (an answer to a request sent before a restart, or by an rmb-rs peer that
// used this Redis before), to learn its `ret` list and `ref`, as rmb-rs does (§8.7 step 5).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rmb::compat {

// 0 -> 300, > 1800 -> 1800 (§8.5 step 6).
uint64_t backlog_ttl(int64_t ttl);
// The protobuf rmb.Backlog bytes (module "", so it is omitted, as rmb-rs encodes it).
std::string encode_backlog(const std::string& uid, const std::optional<std::string>& reference,
                           const std::string& reply_to, uint64_t ttl);

struct BacklogEntry {
  std::string uid;
  std::optional<std::string> reference;
  std::string reply_to;
  std::string module;  // an rmb-rs plugin's name; "" for app requests
  uint64_t ttl = 0;
};
// Bytes that are not an rmb.Backlog, or name no `reply_to`, are an error.
absl::StatusOr<BacklogEntry> decode_backlog(std::string_view bytes);

}  // namespace rmb::compat
