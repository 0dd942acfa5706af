#pragma once
// Where a Redis server is: `redis://[[user]:password@]host[:port][/db]` or
// `unix:///path/to/socket[?db=N]` (the forms rmb-rs and its Helm chart use). host[:port] is
// read by core::parse_host_port (core/net/url.h): a name or address, IPv6 in [brackets].
// Errors are "invalid redis url: <reason>" and never quote the URL (it may carry a password).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rmb::core {

struct RedisUrl {
  std::string host;                 // empty for a unix socket
  uint16_t port = 6379;             // also the default when the URL has none
  std::string unix_path;            // set for unix:// URLs
  std::optional<std::string> user;  // Redis 6 ACL user (AUTH user password)
  std::optional<std::string> password;
  uint32_t db = 0;

  bool is_unix() const { return !unix_path.empty(); }
  // host:port or the socket path, without credentials (safe to log).
  std::string display() const;
};

absl::StatusOr<RedisUrl> parse_redis_url(std::string_view url);

}  // namespace rmb::core
