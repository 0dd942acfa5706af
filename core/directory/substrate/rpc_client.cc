// Why this client keeps its own WebSocket code instead of the relay link's
// (gateway/link/ws_connection.cc): the two share what must not differ, the URL reading
// (core/net/url.h) and the TLS policy, SNI and certificate checks (core/net/tls_client.h),
// but not their I/O. The relay link is rmb-peer's hot path: one binary write in flight
// under the link's own ping/silence keep-alive and backoff, written with callbacks on the
// link's strand. This client is a request/response JSON-RPC client with text frames,
// Beast's keep-alive pings, one deadline over resolve, connect, TLS and upgrade, and
// coroutines. Folding one into the other would change the link's write and reconnect
// paths for no gain to either.
#include "core/directory/substrate/rpc_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/directory/substrate/node_answer.h"
#include "core/net/tls_client.h"

namespace rmb::core {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace {

std::string describe(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::timed_out) return "timed out";
  if (ec == websocket::error::closed) return "closed by the node";
  return ec.message();
}

}  // namespace

struct RpcClient::Conn {
  explicit Conn(asio::any_io_executor ex, std::string u) : url(std::move(u)), resolver(ex) {}

  std::string url;
  Tcp::resolver resolver;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> plain;
  std::unique_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& tcp() { return plain ? beast::get_lowest_layer(*plain) : beast::get_lowest_layer(*tls); }
  template <class F>
  auto with(F&& f) {
    return plain ? f(*plain) : f(*tls);
  }
  // Aborts whatever is in progress on this connection.
  void shut() {
    resolver.cancel();
    if (plain || tls) tcp().close();
  }
};

absl::StatusOr<std::shared_ptr<RpcClient>> RpcClient::create(asio::any_io_executor executor, RpcClientOptions options) {
  if (options.urls.empty()) return absl::InvalidArgumentError("no substrate URL given");
  std::vector<Url> urls;
  bool any_tls = false;
  for (const auto& u : options.urls) {
    auto parsed = parse_ws_url(u, "substrate URL");
    if (!parsed.ok()) return parsed.status();
    any_tls |= parsed->tls;
    urls.push_back(*std::move(parsed));
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (any_tls) {
    auto context = make_tls_client_context(options.ca_file);
    if (!context.ok()) return context.status();
    tls = *std::move(context);
  }
  return std::shared_ptr<RpcClient>(
      new RpcClient(std::move(executor), std::move(options), std::move(urls), std::move(tls)));
}

RpcClient::RpcClient(asio::any_io_executor executor, RpcClientOptions options, std::vector<Url> urls,
                     std::shared_ptr<asio::ssl::context> tls)
    : strand_(asio::make_strand(std::move(executor))),
      options_(std::move(options)),
      urls_(std::move(urls)),
      tls_(std::move(tls)) {}

RpcClient::~RpcClient() = default;

void RpcClient::call(std::string method, json params, Callback done) {
  call(std::move(method), std::move(params), Clock::now() + options_.call_timeout, std::move(done));
}

void RpcClient::call(std::string method, json params, Clock::time_point deadline, Callback done) {
  asio::post(strand_, [self = shared_from_this(), method = std::move(method), params = std::move(params), deadline,
                       done = std::move(done)]() mutable {
    self->start_call(std::move(method), std::move(params), deadline, std::move(done));
  });
}

void RpcClient::close() {
  asio::post(strand_, [self = shared_from_this()] {
    self->state_ = State::kClosed;
    if (self->connecting_) self->connecting_->shut();
    if (self->conn_) self->conn_->shut();
    self->conn_.reset();
    self->outbox_.clear();
    self->fail_all(absl::CancelledError("substrate client closed"));
  });
}

void RpcClient::start_call(std::string method, json params, Clock::time_point deadline, Callback done) {
  if (state_ == State::kClosed) {
    done(absl::CancelledError("substrate client closed"));
    return;
  }
  const uint64_t id = next_id_++;
  Pending p;
  p.payload = json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}.dump();
  p.method = std::move(method);
  p.done = std::move(done);
  p.timer = std::make_unique<asio::steady_timer>(strand_, deadline);
  p.timer->async_wait([weak = weak_from_this(), id](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    auto it = self->pending_.find(id);
    if (it == self->pending_.end()) return;
    const std::string what = it->second.sent ? "no answer from the node" : "no connection to a node";
    self->finish(id,
                 absl::DeadlineExceededError(absl::StrCat("substrate ", it->second.method, " timed out (", what, ")")));
  });
  pending_.emplace(id, std::move(p));
  if (state_ == State::kOpen) {
    send(id);
  } else {
    maybe_connect();
  }
}

void RpcClient::finish(uint64_t id, absl::StatusOr<json> result) {
  auto node = pending_.extract(id);
  if (node.empty()) return;
  node.mapped().timer->cancel();
  node.mapped().done(std::move(result));
}

void RpcClient::fail_all(const absl::Status& status) {
  // Callbacks may start new calls; those are posted, so they never land in `failing`.
  auto failing = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : failing) {
    p.timer->cancel();
    p.done(status);
  }
}

void RpcClient::send(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end() || it->second.sent) return;
  it->second.sent = true;
  outbox_.push_back(it->second.payload);
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(
        strand_, [self = shared_from_this(), conn = conn_]() { return self->write_loop(conn); }, asio::detached);
  }
}

void RpcClient::maybe_connect() {
  if (state_ != State::kIdle) return;
  state_ = State::kConnecting;
  asio::co_spawn(
      strand_, [self = shared_from_this()]() { return self->connect_loop(); }, asio::detached);
}

asio::awaitable<void> RpcClient::connect_loop() {
  std::vector<std::string> errors;
  const size_t n = urls_.size();
  for (size_t attempt = 0; attempt < 2 * n; ++attempt) {
    // Every waiting call timed out: stop; the next call connects again.
    if (state_ == State::kClosed || pending_.empty()) break;
    const size_t index = (current_url_ + attempt) % n;
    std::string error;
    auto conn = co_await open(urls_[index], error);
    connecting_.reset();
    if (state_ == State::kClosed) co_return;
    if (conn) {
      current_url_ = index;
      conn_ = conn;
      state_ = State::kOpen;
      ++connections_made_;
      asio::co_spawn(
          strand_, [self = shared_from_this(), conn]() { return self->read_loop(conn); }, asio::detached);
      std::vector<uint64_t> waiting;
      for (const auto& [id, p] : pending_) waiting.push_back(id);
      for (uint64_t id : waiting) send(id);
      co_return;
    }
    errors.push_back(absl::StrCat(urls_[index].text, ": ", error));
  }
  if (state_ == State::kClosed) co_return;
  // Rotate so that the next connect starts with another node.
  current_url_ = (current_url_ + 1) % n;
  state_ = State::kIdle;
  if (!pending_.empty()) {
    fail_all(absl::UnavailableError(absl::StrCat("cannot reach a substrate node (", absl::StrJoin(errors, "; "), ")")));
  }
}

asio::awaitable<std::shared_ptr<RpcClient::Conn>> RpcClient::open(const Url& url, std::string& error) {
  auto conn = std::make_shared<Conn>(strand_, url.text);
  connecting_ = conn;
  const auto deadline = Clock::now() + options_.connect_timeout;

  // Name resolution has no timeout of its own: a timer cancels it.
  asio::steady_timer guard(strand_, deadline);
  guard.async_wait([conn](boost::system::error_code ec) {
    if (!ec) conn->resolver.cancel();
  });
  boost::system::error_code ec;
  auto results = co_await conn->resolver.async_resolve(url.host, std::to_string(url.port),
                                                       asio::redirect_error(asio::use_awaitable, ec));
  guard.cancel();
  if (ec) {
    error = absl::StrCat("resolve ", url.host, ": ", ec == asio::error::operation_aborted ? "timed out" : ec.message());
    co_return nullptr;
  }
  if (url.tls) {
    conn->tls = std::make_unique<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(strand_, *tls_);
  } else {
    conn->plain = std::make_unique<websocket::stream<beast::tcp_stream>>(strand_);
  }
  conn->tcp().expires_at(deadline);
  co_await conn->tcp().async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    error = absl::StrCat("connect: ", describe(ec));
    co_return nullptr;
  }
  conn->tcp().socket().set_option(Tcp::no_delay(true), ec);
  if (url.tls) {
    if (auto prepared = prepare_tls_stream(conn->tls->next_layer().native_handle(), url.host); !prepared.ok()) {
      error = std::string(prepared.message());
      co_return nullptr;
    }
    co_await conn->tls->next_layer().async_handshake(asio::ssl::stream_base::client,
                                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      error = ec == beast::error::timeout ? "tls handshake: timed out"
                                          : describe_tls_failure(conn->tls->next_layer().native_handle(), ec);
      co_return nullptr;
    }
  }
  // From here the websocket stream runs its own timers (Beast requires the tcp_stream's
  // to be off).
  conn->tcp().expires_never();
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
  co_await conn->with([&](auto& ws) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::max(left, std::chrono::seconds(1));
    t.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(options_.idle_timeout);
    t.keep_alive_pings = true;
    ws.set_option(t);
    ws.read_message_max(options_.max_message_bytes);
    ws.text(true);
    return ws.async_handshake(url.host_header, url.target(), asio::redirect_error(asio::use_awaitable, ec));
  });
  if (ec) {
    error = absl::StrCat("websocket handshake: ", describe(ec));
    co_return nullptr;
  }
  co_return conn;
}

asio::awaitable<void> RpcClient::read_loop(std::shared_ptr<Conn> conn) {
  for (;;) {
    boost::system::error_code ec;
    conn->buffer.clear();
    co_await conn->with(
        [&](auto& ws) { return ws.async_read(conn->buffer, asio::redirect_error(asio::use_awaitable, ec)); });
    if (ec) {
      drop(conn, describe(ec));
      co_return;
    }
    on_message(beast::buffers_to_string(conn->buffer.data()));
  }
}

asio::awaitable<void> RpcClient::write_loop(std::shared_ptr<Conn> /*first*/) {
  // Writes whatever is queued on the current connection; a connection replaced while a
  // write was in flight is simply not written to again.
  while (!outbox_.empty() && conn_) {
    auto conn = conn_;
    std::string message = std::move(outbox_.front());
    outbox_.pop_front();
    boost::system::error_code ec;
    co_await conn->with(
        [&](auto& ws) { return ws.async_write(asio::buffer(message), asio::redirect_error(asio::use_awaitable, ec)); });
    if (ec) {
      drop(conn, absl::StrCat("write: ", describe(ec)));
    }
  }
  writing_ = false;
}

void RpcClient::drop(const std::shared_ptr<Conn>& conn, const std::string& why) {
  if (conn != conn_) return;
  conn_.reset();
  outbox_.clear();
  conn->shut();
  if (state_ != State::kClosed) state_ = State::kIdle;
  fail_all(absl::UnavailableError(absl::StrCat("connection to ", conn->url, " lost: ", why)));
}

void RpcClient::on_message(std::string_view text) {
  auto msg = read_rpc_message(text);
  if (!msg) return;
  auto it = pending_.find(msg->id);
  if (it == pending_.end()) return;
  finish(msg->id, rpc_outcome(std::move(msg->body), it->second.method));
}

}  // namespace rmb::core
