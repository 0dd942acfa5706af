#include "core/directory/relay_domain.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace rmb::core {
namespace {

// At most this many characters are echoed back in an error.
constexpr size_t kShownMax = 64;

std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kShownMax)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? std::string(1, c) : "?";
  }
  if (s.size() > kShownMax) out += "...";
  return out;
}

absl::Status bad(std::string_view domain, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid relay domain \"", shown(domain), "\": ", why));
}

absl::Status validate_port(std::string_view domain, std::string_view port) {
  for (char c : port) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return bad(domain, "the port must be decimal digits");
    }
  }
  uint32_t value = 0;
  for (char c : port.substr(0, 6)) value = value * 10 + static_cast<uint32_t>(c - '0');
  if (port.empty() || port.size() > 5 || port[0] == '0' || value > 65535) {
    return bad(domain, "the port must be 1..65535");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status validate_relay_domain(std::string_view domain) {
  // The chain bounds the whole relay field to 1024 bytes.
  if (domain.size() > 1024) return bad(domain, "longer than 1024 bytes");
  std::string_view host = domain;
  if (const size_t colon = domain.find(':'); colon != std::string_view::npos) {
    host = domain.substr(0, colon);
    if (auto st = validate_port(domain, domain.substr(colon + 1)); !st.ok()) return st;
  }
  if (host.empty()) return bad(domain, "the host name is empty");
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '_') return bad(domain, "'_' separates relays on chain; list each relay separately");
    if (!absl::ascii_isalnum(u) && c != '-' && c != '.') {
      return bad(domain, "allowed characters are a-z A-Z 0-9 - . (and :port)");
    }
  }
  if (host.front() == '.' || host.back() == '.') return bad(domain, "starts or ends with '.'");
  if (host.find("..") != std::string_view::npos) return bad(domain, "contains \"..\"");
  return absl::OkStatus();
}

}  // namespace rmb::core
