#include "core/net/url.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace rmb::core {
namespace {

absl::string_view sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status bad(std::string_view what, std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("bad ", sv(what), " '", sv(text), "': ", sv(why)));
}

bool host_char(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
}

bool valid_ipv6(std::string_view host) {
  in6_addr address;
  return host.find('\0') == std::string_view::npos && inet_pton(AF_INET6, std::string(host).c_str(), &address) == 1;
}

struct Scheme {
  std::string_view name;
  bool tls;
  bool websocket;
};
constexpr Scheme kSchemes[] = {
    {"ws", false, true}, {"wss", true, true}, {"http", false, false}, {"https", true, false}};

// The reason text is bad, or "" when it is good and `out` is filled.
std::string read_host_port(std::string_view text, const HostPortRules& rules, HostPort& out) {
  if (text.find_first_of(" \t\r\n\v\f") != std::string_view::npos) return "white space in host";
  std::string_view host = text;
  std::string_view port;
  bool has_port = false;
  const bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return "unterminated [IPv6 address]";
    host = text.substr(1, close - 1);
    const std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "unexpected text after ]";
      port = after.substr(1);
      has_port = true;
    }
  } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return "no host";
  if (has_port) {
    if (port.empty()) return "empty port";
    uint32_t number = 0;
    if (port.find_first_not_of("0123456789") != std::string_view::npos || !absl::SimpleAtoi(sv(port), &number) ||
        number > 65535 || (number == 0 && !rules.allow_port_zero)) {
      return absl::StrCat("bad port '", sv(port), "'");
    }
    out.port = static_cast<uint16_t>(number);
  } else if (rules.default_port) {
    out.port = *rules.default_port;
  } else {
    return "expected host:port";
  }
  if (bracketed) {
    if (!valid_ipv6(host)) return absl::StrCat("bad IPv6 address '", sv(host), "'");
  } else if (host.find(':') != std::string_view::npos) {
    return "IPv6 address needs [brackets]";
  } else {
    for (char c : host) {
      if (!host_char(c)) return "bad character in host";
    }
  }
  out.host = std::string(host);
  return "";
}

absl::StatusOr<Url> parse(std::string_view text, std::string_view what, bool websocket_only) {
  Url out;
  out.text = std::string(text);
  const size_t sep = text.find("://");
  const Scheme* scheme = nullptr;
  if (sep != std::string_view::npos) {
    const std::string name = absl::AsciiStrToLower(sv(text.substr(0, sep)));
    for (const Scheme& s : kSchemes) {
      if (s.name == name && (s.websocket || !websocket_only)) scheme = &s;
    }
  }
  if (scheme == nullptr) {
    return bad(what, text, websocket_only ? "expected ws:// or wss://" : "expected ws://, wss://, http:// or https://");
  }
  out.scheme = std::string(scheme->name);
  out.tls = scheme->tls;
  std::string_view rest = text.substr(sep + 3);
  const size_t end_of_authority = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end_of_authority);
  std::string_view tail =
      end_of_authority == std::string_view::npos ? std::string_view() : rest.substr(end_of_authority);
  tail = tail.substr(0, tail.find('#'));
  const size_t question = tail.find('?');
  const std::string_view path = tail.substr(0, question);
  out.path = path.empty() ? "/" : std::string(path);
  if (question != std::string_view::npos) out.query = std::string(tail.substr(question + 1));
  if (authority.find('@') != std::string_view::npos) return bad(what, text, "user info is not supported");

  HostPort host_port;
  const std::string why = read_host_port(authority, {.default_port = uint16_t(out.tls ? 443 : 80)}, host_port);
  if (!why.empty()) return bad(what, text, why);  // names the whole URL, not only its authority
  out.host = std::move(host_port.host);
  out.port = host_port.port;
  out.host_header = std::string(authority);
  return out;
}

}  // namespace

absl::StatusOr<HostPort> parse_host_port(std::string_view text, const HostPortRules& rules, std::string_view what) {
  HostPort out;
  if (std::string why = read_host_port(text, rules, out); !why.empty()) return bad(what, text, why);
  return out;
}

std::string Url::target() const { return query.empty() ? path : absl::StrCat(path, "?", query); }

absl::StatusOr<Url> parse_url(std::string_view text, std::string_view what) { return parse(text, what, false); }

absl::StatusOr<Url> parse_ws_url(std::string_view text, std::string_view what) { return parse(text, what, true); }

}  // namespace rmb::core
