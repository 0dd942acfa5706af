#pragma once
// Relay URLs as given to --relay: ws://host[:port][/path] or wss://... (PROTOCOL.md §4.2).
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rmb::gateway::link {

struct RelayUrl {
  std::string text;  // as given, for logs and errors
  bool tls = false;
  std::string host;         // without [brackets] for IPv6 literals
  uint16_t port = 0;        // 80 / 443 when the URL has none
  std::string path;         // at least "/"; the query is not part of it
  std::string host_header;  // host[:port] as written in the URL
};

// Parses and validates; a query or fragment in the URL is dropped because the JWT
// replaces the query at each connect, as rmb-peer does (§4.2).
absl::StatusOr<RelayUrl> parse_relay_url(std::string_view url);

// "<path>?<jwt>": the upgrade request target (§4.2, the token is the whole raw query).
std::string request_target(const RelayUrl& url, std::string_view jwt);

}  // namespace rmb::gateway::link
