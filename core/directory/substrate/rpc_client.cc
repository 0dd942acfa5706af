// The JSON-RPC side only: ids, deadlines, the 2×N connect over the URLs, failing the calls
// a lost connection leaves unanswered. The WebSocket (URL, TLS policy, handshake, send
// queue, read loop, Beast's keep-alive pings) is core/net/ws_client.h.
#include "core/directory/substrate/rpc_client.h"

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/directory/substrate/node_answer.h"
#include "core/net/tls_client.h"

namespace rmb::core {
namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

// close() needs no answer from the node: the calls it fails are failed already.
constexpr std::chrono::milliseconds kCloseGrace{1000};

}  // namespace

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

RpcClient::~RpcClient() {
  // The connections hold this client weakly; without close() they would stay open.
  if (conn_ || connecting_) {
    asio::post(strand_, [conn = std::move(conn_), connecting = std::move(connecting_)] {
      if (conn) conn->close(kCloseGrace);
      if (connecting) connecting->close(kCloseGrace);
    });
  }
}

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
    if (self->connecting_) self->connecting_->close(kCloseGrace);
    self->connecting_.reset();
    if (self->conn_) self->conn_->close(kCloseGrace);
    self->conn_.reset();
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
  p.payload = std::make_shared<const std::string>(
      json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}.dump());
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
  if (it == pending_.end() || it->second.sent || !conn_) return;
  it->second.sent = true;
  conn_->send(it->second.payload, /*binary=*/false);
}

void RpcClient::maybe_connect() {
  if (state_ != State::kIdle) return;
  state_ = State::kConnecting;
  try_url(0, {});
}

void RpcClient::try_url(size_t attempt, std::vector<std::string> errors) {
  const size_t n = urls_.size();
  // Every waiting call timed out: stop; the next call connects again.
  if (attempt < 2 * n && !pending_.empty()) {
    const size_t index = (current_url_ + attempt) % n;
    WsClientOptions ws;
    ws.connect_timeout = options_.connect_timeout;
    ws.idle_timeout = options_.idle_timeout;
    ws.max_message_bytes = options_.max_message_bytes;
    ws.peer = "node";
    auto conn = make_ws_client(strand_, tls_, urls_[index], std::move(ws));
    connecting_ = conn;
    WsClient::Handlers handlers;
    handlers.on_message = [weak = weak_from_this()](bool /*binary*/, std::string text) {
      if (auto self = weak.lock()) self->on_message(text);
    };
    handlers.on_lost = [weak = weak_from_this(), raw = conn.get()](const std::string& why) {
      if (auto self = weak.lock()) self->drop(raw, why);
    };
    // Weak: the connection must not keep this client alive (~RpcClient closes it).
    conn->open(urls_[index].target(), std::move(handlers),
               [weak = weak_from_this(), raw = conn.get(), index, attempt,
                errors = std::move(errors)](absl::Status status) mutable {
                 auto self = weak.lock();
                 if (!self || self->connecting_.get() != raw) return;
                 auto opened = std::move(self->connecting_);
                 if (self->state_ == State::kClosed) return;
                 if (status.ok()) return self->connected(std::move(opened), index);
                 errors.push_back(absl::StrCat(self->urls_[index].text, ": ", status.message()));
                 self->try_url(attempt + 1, std::move(errors));
               });
    return;
  }
  // Rotate so that the next connect starts with another node.
  current_url_ = (current_url_ + 1) % n;
  state_ = State::kIdle;
  if (!pending_.empty()) {
    fail_all(absl::UnavailableError(absl::StrCat("cannot reach a substrate node (", absl::StrJoin(errors, "; "), ")")));
  }
}

void RpcClient::connected(std::shared_ptr<WsClient> conn, size_t index) {
  current_url_ = index;
  conn_ = std::move(conn);
  state_ = State::kOpen;
  ++connections_made_;
  std::vector<uint64_t> waiting;
  for (const auto& [id, p] : pending_) waiting.push_back(id);
  for (uint64_t id : waiting) send(id);
}

void RpcClient::drop(const WsClient* conn, const std::string& why) {
  if (conn == nullptr || conn != conn_.get()) return;
  auto lost = std::move(conn_);
  conn_.reset();
  if (state_ != State::kClosed) state_ = State::kIdle;
  fail_all(absl::UnavailableError(absl::StrCat("connection to ", lost->url().text, " lost: ", why)));
}

void RpcClient::on_message(std::string_view text) {
  auto msg = read_rpc_message(text);
  if (!msg) return;
  auto it = pending_.find(msg->id);
  if (it == pending_.end()) return;
  finish(msg->id, rpc_outcome(std::move(msg->body), it->second.method));
}

}  // namespace rmb::core
