#include "relay/federation/http_post.h"

#include <charconv>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"

namespace rmb::relay {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxIdlePerDomain = 8;

bool valid_port(std::string_view p) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  return !p.empty() && ec == std::errc() && end == p.data() + p.size() && v > 0 && v < 65536;
}

std::string sv(std::string_view s) { return std::string(s); }

}  // namespace

absl::StatusOr<FederationEndpoint> parse_federation_domain(std::string_view domain, std::string_view scheme) {
  FederationEndpoint ep;
  std::string_view default_port = scheme == "http" ? "80" : "443";
  std::string_view host = domain, port;
  if (!domain.empty() && domain.front() == '[') {
    auto close = domain.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("bad relay domain: unterminated [");
    host = domain.substr(1, close - 1);
    auto rest = domain.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return absl::InvalidArgumentError("bad relay domain: junk after ]");
      port = rest.substr(1);
    }
  } else if (auto colon = domain.rfind(':'); colon != std::string_view::npos) {
    host = domain.substr(0, colon);
    port = domain.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return absl::InvalidArgumentError("bad relay domain: IPv6 literal needs [brackets]");
    }
  }
  if (host.empty()) return absl::InvalidArgumentError("bad relay domain: empty host");
  for (char c : host) {
    // Chain-valid bytes (§6.2) plus ':' for bracketed IPv6 literals; nothing that could
    // break the request line or the Host header.
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':';
    if (!ok) return absl::InvalidArgumentError("bad relay domain: invalid character");
  }
  if (!port.empty() || domain.find(':') != std::string_view::npos) {
    if (!port.empty() && !valid_port(port)) return absl::InvalidArgumentError("bad relay domain: bad port");
  }
  ep.host = sv(host);
  ep.port = sv(port.empty() ? default_port : port);
  ep.host_header = sv(domain);
  return ep;
}

struct FederationClient::Conn {
  std::string domain;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  SteadyClock::time_point idle_until{};
  std::string host_header;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

FederationClient::FederationClient(asio::any_io_executor executor, const FederationOptions& options)
    : executor_(std::move(executor)), options_(options), tls_(asio::ssl::context::tls_client) {
  tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (options_.ca_file.empty()) {
    tls_.set_default_verify_paths(ec);
  } else {
    tls_.load_verify_file(options_.ca_file, ec);
  }
  if (ec) core::log_warn("federation: cannot load trust store: ", ec.message());
  tls_.set_verify_mode(asio::ssl::verify_peer);
}

FederationClient::~FederationClient() = default;

void FederationClient::close_idle() { idle_.clear(); }

asio::awaitable<std::unique_ptr<FederationClient::Conn>> FederationClient::open(
    const std::string& domain, const FederationEndpoint& ep, SteadyClock::time_point request_deadline,
    std::string& error) {
  auto conn = std::make_unique<Conn>();
  conn->domain = domain;
  conn->host_header = ep.host_header;
  const auto connect_deadline = std::min(request_deadline, SteadyClock::now() + options_.connect_timeout);

  // Name resolution has no timeout of its own: a timer cancels it.
  tcp::resolver resolver(executor_);
  asio::steady_timer guard(executor_);
  guard.expires_at(connect_deadline);
  guard.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  boost::system::error_code ec;
  auto results = co_await resolver.async_resolve(ep.host, ep.port, asio::redirect_error(asio::use_awaitable, ec));
  guard.cancel();
  if (ec) {
    error = absl::StrCat("resolve ", ep.host, ": ", ec == asio::error::operation_aborted ? "timed out" : ec.message());
    co_return nullptr;
  }

  const bool https = options_.scheme != "http";
  if (https) {
    conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor_, tls_);
  } else {
    conn->plain = std::make_unique<beast::tcp_stream>(executor_);
  }
  conn->tcp().expires_at(connect_deadline);
  co_await conn->tcp().async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    error = absl::StrCat("connect ", domain, ": ", ec == beast::error::timeout ? "timed out" : ec.message());
    co_return nullptr;
  }
  conn->tcp().socket().set_option(tcp::no_delay(true), ec);
  conn->tcp().socket().set_option(asio::socket_base::keep_alive(true), ec);

  if (https) {
    boost::system::error_code addr_ec;
    asio::ip::make_address(ep.host, addr_ec);
    if (addr_ec) {  // SNI only for names, never for IP literals (RFC 6066)
      SSL_set_tlsext_host_name(conn->tls->native_handle(), ep.host.c_str());
    }
    conn->tls->set_verify_callback(asio::ssl::host_name_verification(ep.host));
    conn->tcp().expires_at(request_deadline);
    co_await conn->tls->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      error =
          absl::StrCat("tls handshake with ", domain, ": ", ec == beast::error::timeout ? "timed out" : ec.message());
      co_return nullptr;
    }
  }
  co_return conn;
}

PostOutcome post_outcome(unsigned status) {
  PostOutcome out;
  out.status = status;
  out.detail = absl::StrCat("HTTP ", status);
  if (status == 202) {
    out.result = PostResult::kAccepted;
  } else if (status >= 400 && status < 500) {
    out.result = PostResult::kRejected;
  }
  // Redirects are not followed (reqwest would; UNCONFIRMED upstream, and relays never
  // answer POST / with one): a 3xx counts as a failure of that domain.
  return out;
}

asio::awaitable<PostOutcome> FederationClient::post_on(Conn& conn, const std::string& body,
                                                       SteadyClock::time_point deadline) {
  http::request<http::string_body> req{http::verb::post, "/", 11};
  req.set(http::field::host, conn.host_header);
  // rmb-rs (reqwest) sends no Content-Type; the receiving relay reads the raw body.
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxFederationAnswerBody);
  boost::system::error_code ec;
  conn.tcp().expires_at(deadline);
  if (conn.tls) {
    co_await http::async_write(*conn.tls, req, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_await http::async_read(*conn.tls, conn.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await http::async_write(*conn.plain, req, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_await http::async_read(*conn.plain, conn.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) {
    PostOutcome failed;
    failed.detail = ec == beast::error::timeout ? "request timed out" : ec.message();
    co_return failed;
  }
  const auto& res = parser.get();
  PostOutcome out = post_outcome(res.result_int());
  if (res.keep_alive()) {
    conn.idle_until = SteadyClock::now() + options_.idle_keepalive;
  } else {
    conn.idle_until = {};
  }
  co_return out;
}

asio::awaitable<PostOutcome> FederationClient::post(const std::string& domain, const std::string& body) {
  const auto deadline = SteadyClock::now() + options_.request_timeout;
  auto ep = parse_federation_domain(domain, options_.scheme);
  if (!ep.ok()) co_return PostOutcome{PostResult::kFailed, 0, std::string(ep.status().message())};

  // Idle connections past their keep-alive are closed here rather than by a timer.
  const auto now = SteadyClock::now();
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& q = it->second;
    std::erase_if(q, [&](const std::unique_ptr<Conn>& c) { return c->idle_until <= now; });
    it = q.empty() ? idle_.erase(it) : std::next(it);
  }

  // A reused connection may have been closed by the remote meanwhile; then one fresh
  // connection is tried before the domain counts as failed.
  std::unique_ptr<Conn> conn;
  if (auto it = idle_.find(domain); it != idle_.end()) {
    conn = std::move(it->second.back());
    it->second.pop_back();
    if (it->second.empty()) idle_.erase(it);
  }
  bool reused = conn != nullptr;

  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!conn) {
      std::string error;
      conn = co_await open(domain, *ep, deadline, error);
      if (!conn) co_return PostOutcome{PostResult::kFailed, 0, error};
      reused = false;
    }
    PostOutcome out = co_await post_on(*conn, body, deadline);
    if (out.status == 0 && reused && SteadyClock::now() < deadline) {
      conn.reset();
      continue;
    }
    if (out.status != 0 && conn->idle_until > SteadyClock::now()) {
      auto& slot = idle_[domain];
      if (slot.size() < kMaxIdlePerDomain) slot.push_back(std::move(conn));
    }
    co_return out;
  }
  co_return PostOutcome{PostResult::kFailed, 0, "connection lost"};
}

}  // namespace rmb::relay
