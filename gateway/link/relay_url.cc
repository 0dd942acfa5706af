#include "gateway/link/relay_url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace rmb::gateway::link {
namespace {

absl::string_view sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status bad(std::string_view url, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("bad relay URL '", sv(url), "': ", sv(why)));
}

}  // namespace

absl::StatusOr<RelayUrl> parse_relay_url(std::string_view url) {
  RelayUrl out;
  out.text = std::string(url);
  std::string_view rest = url;
  // Schemes are case-insensitive (RFC 3986 §3.1).
  const std::string lower = absl::AsciiStrToLower(sv(url.substr(0, 6)));
  if (lower.starts_with("wss://")) {
    out.tls = true;
    rest.remove_prefix(6);
  } else if (lower.starts_with("ws://")) {
    rest.remove_prefix(5);
  } else {
    return bad(url, "expected ws:// or wss://");
  }
  const size_t end_of_authority = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end_of_authority);
  std::string_view path =
      end_of_authority == std::string_view::npos ? std::string_view() : rest.substr(end_of_authority);
  path = path.substr(0, path.find_first_of("?#"));
  out.path = path.empty() ? "/" : std::string(path);
  if (authority.find('@') != std::string_view::npos) return bad(url, "user info is not supported");
  if (authority.find_first_of(" \t\r\n") != std::string_view::npos) return bad(url, "white space in host");

  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad(url, "unterminated [IPv6 address]");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(url, "unexpected text after ]");
      port = after.substr(1);
      if (port.empty()) return bad(url, "empty port");
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return bad(url, "empty port");
  }
  if (host.empty()) return bad(url, "no host");
  out.host = std::string(host);
  if (port.empty()) {
    out.port = out.tls ? 443 : 80;
  } else {
    uint32_t number = 0;
    if (port.find_first_not_of("0123456789") != std::string_view::npos || !absl::SimpleAtoi(sv(port), &number) ||
        number == 0 || number > 65535) {
      return bad(url, absl::StrCat("bad port '", sv(port), "'"));
    }
    out.port = static_cast<uint16_t>(number);
  }
  out.host_header = std::string(authority);
  return out;
}

std::string request_target(const RelayUrl& url, std::string_view jwt) { return absl::StrCat(url.path, "?", sv(jwt)); }

}  // namespace rmb::gateway::link
