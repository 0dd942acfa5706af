#include "core/redis/redis_url.h"

#include <charconv>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/net/url.h"

namespace rmb::core {
namespace {

// Never echoes the URL itself: it may carry a password.
absl::Status bad(std::string_view /*url*/, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid redis url: ", absl::string_view(why.data(), why.size())));
}

// Whole-string decimal (std::from_chars: no sign, no spaces, no trailing junk).
bool parse_uint(std::string_view text, uint32_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Percent-decoding for credentials (a password may contain '@' or ':' as %40 / %3A).
absl::StatusOr<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return absl::InvalidArgumentError("invalid redis url: truncated %-escape");
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return absl::InvalidArgumentError("invalid redis url: bad %-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

constexpr std::string_view kHostPortWhat = "redis host";

// parse_host_port's error is "bad <what> '<text>': <reason>", and a reason may quote a part
// of the text ("bad port 'x'"). The text is what follows the last '@', where a URL typed
// without its '@' ("redis://user:secret") has its password, so only the reason's words are
// kept: what comes before any quote.
std::string host_port_reason(std::string_view text, const absl::Status& status) {
  const std::string prefix = absl::StrCat("bad ", absl::string_view(kHostPortWhat.data(), kHostPortWhat.size()), " '",
                                          absl::string_view(text.data(), text.size()), "': ");
  absl::string_view reason = status.message();
  if (!absl::ConsumePrefix(&reason, prefix)) return "bad host or port";
  reason = reason.substr(0, reason.find(" '"));
  // The port's range is worth saying; the reader's own words for it are only "bad port".
  if (reason == "bad port" || reason == "empty port") return "port must be 1-65535";
  return std::string(reason);
}

absl::StatusOr<uint32_t> parse_db(std::string_view url, std::string_view text) {
  uint32_t db = 0;
  if (text.empty()) return 0u;
  if (!parse_uint(text, &db) || db > 65535) return bad(url, "database must be a small number");
  return db;
}

}  // namespace

std::string RedisUrl::display() const {
  if (is_unix()) return absl::StrCat("unix://", unix_path, db ? absl::StrCat("?db=", db) : "");
  bool v6 = host.find(':') != std::string::npos;
  return absl::StrCat("redis://", v6 ? "[" : "", host, v6 ? "]" : "", ":", port, db ? absl::StrCat("/", db) : "");
}

absl::StatusOr<RedisUrl> parse_redis_url(std::string_view url) {
  RedisUrl out;
  if (url.starts_with("unix://")) {
    std::string_view rest = url.substr(7);
    if (auto q = rest.find('?'); q != std::string_view::npos) {
      std::string_view query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (!query.starts_with("db=")) return bad(url, "unix socket query supports only db=N");
      auto db = parse_db(url, query.substr(3));
      if (!db.ok()) return db.status();
      out.db = *db;
    }
    if (rest.empty() || rest[0] != '/') return bad(url, "unix:// needs an absolute socket path");
    out.unix_path = std::string(rest);
    return out;
  }
  std::string_view rest;
  if (url.starts_with("redis://")) {
    rest = url.substr(8);
  } else if (url.starts_with("rediss://")) {
    return bad(url, "rediss:// (TLS) is not supported");
  } else {
    return bad(url, "scheme must be redis:// or unix://");
  }
  // Path: /db
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  auto db = parse_db(url, path);
  if (!db.ok()) return db.status();
  out.db = *db;
  // Credentials: everything before the last '@'.
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    std::string_view user = cred, pass;
    bool has_pass = false;
    if (auto colon = cred.find(':'); colon != std::string_view::npos) {
      user = cred.substr(0, colon);
      pass = cred.substr(colon + 1);
      has_pass = true;
    }
    if (!user.empty()) {
      auto u = percent_decode(user);
      if (!u.ok()) return u.status();
      out.user = *u;
    }
    if (has_pass) {
      auto p = percent_decode(pass);
      if (!p.ok()) return p.status();
      out.password = *p;
    } else if (out.user) {
      // `redis://secret@host`: a lone credential is a password (redis-rs reads it so).
      out.password = out.user;
      out.user.reset();
    }
  }
  // Host and port: the one host:port reader (core/net/url.h), so a redis host follows the
  // rules of every other address (IPv6 only in [brackets] and valid, host characters only).
  auto host_port = parse_host_port(rest, {.default_port = out.port}, kHostPortWhat);
  if (!host_port.ok()) return bad(url, host_port_reason(rest, host_port.status()));
  out.host = std::move(host_port->host);
  out.port = host_port->port;
  return out;
}

}  // namespace rmb::core
