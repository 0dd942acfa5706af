#pragma once
// The one reading of URLs (ws, wss, http, https) and of host:port texts, for every
// component: relay links, tfchain nodes, federation domains, listen addresses. Pure
// functions (no I/O, no DNS), so they can be fuzzed: fuzz parse_url and parse_host_port.
//
// Errors are InvalidArgument "bad <what> '<text>': <reason>", where <what> is what the
// caller calls the text ("relay URL", "listen address").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rmb::core {

struct HostPort {
  std::string host;   // without [brackets] for IPv6 literals
  uint16_t port = 0;  // the default port when the text has none
};

struct HostPortRules {
  std::optional<uint16_t> default_port;  // none: ":port" is required
  bool allow_port_zero = false;          // listen addresses: "any free port"
};

// "host", "host:port", "[v6]", "[v6]:port". Hosts are names or addresses made of letters,
// digits and "-._~%" (nothing that could break a request line or a Host header); an IPv6
// literal must be in brackets and be a valid address.
absl::StatusOr<HostPort> parse_host_port(std::string_view text, const HostPortRules& rules,
                                         std::string_view what = "address");

struct Url {
  std::string text;         // as given, for logs and errors
  std::string scheme;       // lower case: ws, wss, http or https
  bool tls = false;         // wss, https
  std::string host;         // without [brackets]
  uint16_t port = 0;        // 80 / 443 when the URL has none
  std::string path;         // at least "/"
  std::string query;        // after '?', without it; the fragment is dropped
  std::string host_header;  // host[:port] as written in the URL

  // "<path>[?<query>]": the request target.
  std::string target() const;
};

// ws://, wss://, http:// or https:// (scheme case-insensitive, RFC 3986 §3.1), then
// host[:port] as parse_host_port reads it (port 1..65535), then an optional path, query
// and fragment. User info is refused.
absl::StatusOr<Url> parse_url(std::string_view text, std::string_view what = "URL");
// parse_url restricted to ws:// and wss://.
absl::StatusOr<Url> parse_ws_url(std::string_view text, std::string_view what = "URL");

}  // namespace rmb::core
