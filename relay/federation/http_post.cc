#include "relay/federation/http_post.h"

#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "core/net/tls_client.h"
#include "core/obs/log.h"
#include "core/obs/log_throttle.h"

namespace rmb::relay {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxIdlePerDomain = 8;

using AnswerParser = http::response_parser<http::string_body>;

// One request and its answer on `stream` (plain or TLS): the header, then, if answer_verdict
// says so, the body. `ec` is the error of the last step.
template <class Stream>
asio::awaitable<AnswerVerdict> exchange(Stream& stream, beast::flat_buffer& buffer,
                                        const http::request<http::string_body>& req, AnswerParser& parser,
                                        boost::system::error_code& ec) {
  auto into_ec = asio::redirect_error(asio::use_awaitable, ec);  // not const: Asio 1.74 moves from it
  co_await http::async_write(stream, req, into_ec);
  if (!ec) co_await http::async_read_header(stream, buffer, parser, into_ec);
  const AnswerVerdict verdict = answer_verdict(AnswerRead::kHeader, ec, announced_length(parser));
  if (verdict != AnswerVerdict::kReadBody) co_return verdict;
  co_await http::async_read(stream, buffer, parser, into_ec);
  co_return answer_verdict(AnswerRead::kBody, ec, announced_length(parser));
}

}  // namespace

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
    : executor_(std::move(executor)), options_(options), tls_(std::shared_ptr<asio::ssl::context>()) {
  if (options_.scheme == "http") return;
  tls_ = core::make_tls_client_context(options_.ca_file);
  if (!tls_.ok()) core::log_warn("federation: ", tls_.status().message());
}

FederationClient::~FederationClient() = default;

void FederationClient::close_idle() { idle_.clear(); }

asio::awaitable<std::unique_ptr<FederationClient::Conn>> FederationClient::open(
    const std::string& domain, const core::HostPort& ep, SteadyClock::time_point request_deadline, std::string& error) {
  auto conn = std::make_unique<Conn>();
  conn->domain = domain;
  conn->host_header = domain;  // as the chain spells it, port included
  const auto connect_deadline = std::min(request_deadline, SteadyClock::now() + options_.connect_timeout);

  // Name resolution has no timeout of its own: a timer cancels it.
  tcp::resolver resolver(executor_);
  asio::steady_timer guard(executor_);
  guard.expires_at(connect_deadline);
  guard.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  boost::system::error_code ec;
  auto results =
      co_await resolver.async_resolve(ep.host, std::to_string(ep.port), asio::redirect_error(asio::use_awaitable, ec));
  guard.cancel();
  if (ec) {
    error = absl::StrCat("resolve ", ep.host, ": ", ec == asio::error::operation_aborted ? "timed out" : ec.message());
    co_return nullptr;
  }

  const bool https = options_.scheme != "http";
  if (https) {
    if (!tls_.ok()) {
      error = std::string(tls_.status().message());
      co_return nullptr;
    }
    conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor_, **tls_);
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
    if (auto prepared = core::prepare_tls_stream(conn->tls->native_handle(), ep.host); !prepared.ok()) {
      error = std::string(prepared.message());
      co_return nullptr;
    }
    conn->tcp().expires_at(request_deadline);
    co_await conn->tls->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      error = absl::StrCat(
          "tls handshake with ", domain, ": ",
          ec == beast::error::timeout ? "timed out" : core::describe_tls_failure(conn->tls->native_handle(), ec));
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

AnswerVerdict answer_verdict(AnswerRead read, const boost::system::error_code& ec,
                             boost::optional<uint64_t> content_length, uint64_t limit) {
  // Beast refuses an announced length over body_limit while reading the header, and a
  // chunked or unsized body when it grows past it.
  if (ec == http::error::body_limit) return AnswerVerdict::kTooLarge;
  if (ec) return AnswerVerdict::kFailed;
  if (read == AnswerRead::kBody) return AnswerVerdict::kComplete;
  return content_length && *content_length > limit ? AnswerVerdict::kTooLarge : AnswerVerdict::kReadBody;
}

PostOutcome refused_answer(unsigned status, boost::optional<uint64_t> content_length) {
  PostOutcome out;
  out.status = status;
  out.detail = content_length ? absl::StrCat("answer refused: HTTP ", status, " with content-length ", *content_length,
                                             ", over the ", kMaxFederationAnswerBody, "-byte limit")
                              : absl::StrCat("answer refused: HTTP ", status, " with a body over the ",
                                             kMaxFederationAnswerBody, "-byte limit");
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

  AnswerParser parser;
  parser.body_limit(kMaxFederationAnswerBody);
  boost::system::error_code ec;
  conn.tcp().expires_at(deadline);
  AnswerVerdict verdict;
  if (conn.tls) {
    verdict = co_await exchange(*conn.tls, conn.buffer, req, parser, ec);
  } else {
    verdict = co_await exchange(*conn.plain, conn.buffer, req, parser, ec);
  }
  if (verdict == AnswerVerdict::kTooLarge) {
    // What is left of that answer is never read: the connection is not reused.
    conn.idle_until = {};
    PostOutcome refused = refused_answer(parser.get().result_int(), announced_length(parser));
    static core::LogThrottle throttle;
    throttle.warn("federation: ", conn.domain, ": ", refused.detail);
    co_return refused;
  }
  if (verdict == AnswerVerdict::kFailed) {
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
  // A `:port` suffix (and `[v6]:port`) is a test/dev convenience: chain domains never
  // carry one, and then the scheme's default port is used.
  auto ep =
      core::parse_host_port(domain, {.default_port = uint16_t(options_.scheme == "http" ? 80 : 443)}, "relay domain");
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
