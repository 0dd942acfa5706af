// URLs and host:port texts (core/net/url.h) come from the chain (relay domains of other
// twins), flags and configuration; Redis URLs (core/redis/redis_url.h, which reads its
// host:port with the same reader) from flags. Any text parses or fails with a message, and:
//  - the host and Host header hold only the documented host characters (no space, CR, LF,
//    '@', '/'); the path and query are not checked (URLs come from configuration);
//  - a URL written back from its parts (scheme://host_header + target) parses to the same parts;
//  - a Redis URL's error quotes nothing (it may carry a password), and one that parses is
//    written back by display() to a URL that parses to the same place.
// Input: byte 0 picks the host:port rules; the rest is the text.
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "core/net/url.h"
#include "core/redis/redis_url.h"
#include "fuzz/harness.h"

namespace {

using namespace rmb::core;
using rmb::fuzz::require;

bool host_chars(std::string_view host) {
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("-._~%:").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

void check_url(std::string_view text) {
  auto url = parse_url(text);
  if (!url.ok()) {
    require(!url.status().message().empty());
    return;
  }
  require(url->scheme == "ws" || url->scheme == "wss" || url->scheme == "http" || url->scheme == "https");
  require(url->tls == (url->scheme == "wss" || url->scheme == "https"));
  require(!url->host.empty() && host_chars(url->host) && url->port != 0);
  require(!url->path.empty() && url->path.front() == '/');
  require(url->host_header.find_first_of(" \r\n\t/@") == std::string::npos);

  auto again = parse_url(url->scheme + "://" + url->host_header + url->target());
  require(again.ok());
  require(again->scheme == url->scheme && again->host == url->host && again->port == url->port);
  require(again->path == url->path && again->query == url->query && again->host_header == url->host_header);

  require(parse_ws_url(text).ok() == (url->scheme == "ws" || url->scheme == "wss"));
}

void check_redis_url(std::string_view text) {
  auto url = parse_redis_url(text);
  if (!url.ok()) {
    const std::string_view message(url.status().message().data(), url.status().message().size());
    require(message.starts_with("invalid redis url: "));
    require(message.find('\'') == std::string_view::npos);
    return;
  }
  auto again = parse_redis_url(url->display());
  require(again.ok());
  require(again->host == url->host && again->port == url->port && again->db == url->db);
  require(again->unix_path == url->unix_path);
  if (url->is_unix()) return;
  require(!url->host.empty() && host_chars(url->host) && url->port != 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  check_url(text);
  check_redis_url(text);

  HostPortRules rules;
  if (data[0] & 1) rules.default_port = 443;
  rules.allow_port_zero = (data[0] & 2) != 0;
  auto hp = parse_host_port(text, rules, "relay domain");
  if (!hp.ok()) {
    require(!hp.status().message().empty());
    return 0;
  }
  require(!hp->host.empty() && host_chars(hp->host));
  require(hp->port != 0 || rules.allow_port_zero);
  return 0;
}
