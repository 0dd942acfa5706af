#include "gateway/link/relay_link.h"

#include <random>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"
#include "gateway/link/dispatcher.h"

namespace rmb::gateway::link {

namespace net = boost::asio;
using error_code = boost::system::error_code;

namespace {

constexpr std::chrono::milliseconds kCloseGrace{1000};
// §5.1 / §11: the largest frame rmb-rs (tungstenite's default) takes from a relay.
constexpr size_t kMaxMessageBytes = 64 * 1024 * 1024;

uint64_t random_seed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace

RelayLink::RelayLink(net::io_context& io, size_t index, std::string text, absl::StatusOr<core::Url> url,
                     absl::StatusOr<std::shared_ptr<net::ssl::context>> tls, std::shared_ptr<Dispatcher> dispatcher)
    : strand_(net::make_strand(io)),
      index_(index),
      text_(std::move(text)),
      url_(std::move(url)),
      tls_(std::move(tls)),
      dispatcher_(std::move(dispatcher)),
      retry_timer_(strand_),
      keepalive_timer_(strand_),
      backoff_(dispatcher_->options().backoff_min, dispatcher_->options().backoff_max, random_seed()) {}

std::string RelayLink::permanent_error() const {
  if (!url_.ok()) return std::string(url_.status().message());
  if (url_->tls && !tls_.ok()) return std::string(tls_.status().message());
  return "";
}

void RelayLink::start() {
  if (!permanent_error().empty()) return;
  net::post(strand_, [self = shared_from_this()] { self->connect(); });
}

void RelayLink::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    self->retry_timer_.cancel();
    self->keepalive_timer_.cancel();
    if (self->connecting_) self->connecting_->close(kCloseGrace);
    if (self->conn_) self->conn_->close(kCloseGrace);
    self->connecting_.reset();
    self->conn_.reset();
  });
}

void RelayLink::kick() {
  net::post(strand_, [self = shared_from_this()] { self->pump(); });
}

void RelayLink::connect() {
  if (stopping_) return;
  dispatcher_->link_connecting(index_);
  const auto& options = dispatcher_->options();
  // A fresh token per attempt (§4.1): no sid, the peer's own session.
  const std::string jwt =
      core::mint_jwt(*options.signer, options.twin, std::nullopt, core::unix_now(), options.jwt_ttl.count());
  core::WsClientOptions ws;
  ws.connect_timeout = options.connect_timeout;
  // The link runs its own keep-alive (ping when idle, drop when silent: §5.3).
  ws.idle_timeout = std::chrono::milliseconds(0);
  ws.max_message_bytes = kMaxMessageBytes;
  ws.peer = "relay";
  auto conn = core::make_ws_client(strand_, url_->tls ? *tls_ : nullptr, *url_, std::move(ws));
  connecting_ = conn;
  const core::WsClient* raw = conn.get();
  std::weak_ptr<RelayLink> weak = weak_from_this();
  core::WsClient::Handlers handlers;
  handlers.on_message = [weak, raw](bool binary, std::string data) {
    if (auto self = weak.lock()) self->on_message(raw, binary, std::move(data));
  };
  // Pongs count as life (§5.3: "no frame at all (including pongs)").
  handlers.on_control = [weak, raw] {
    if (auto self = weak.lock(); self && raw == self->conn_.get()) self->heard();
  };
  handlers.on_lost = [weak, raw](const std::string& why) {
    if (auto self = weak.lock()) self->drop(raw, why);
  };
  // The token is the whole raw query (§4.2): a query in the URL is replaced, as rmb-peer does.
  conn->open(absl::StrCat(url_->path, "?", jwt), std::move(handlers), [weak, raw](absl::Status status) {
    if (auto self = weak.lock()) self->on_open(raw, status);
  });
}

void RelayLink::on_open(const core::WsClient* conn, const absl::Status& status) {
  // stop() closed connecting_ (after which the client calls nothing); this is a guard.
  if (stopping_ || conn != connecting_.get()) return;
  auto opened = std::move(connecting_);  // leaves it empty
  if (!status.ok()) {
    retry_later(std::string(status.message()), false);
    return;
  }
  conn_ = std::move(opened);
  backoff_.reset();
  last_rx_ = Clock::now();
  pinged_since_data_ = false;
  ping_pending_ = false;
  writing_ = false;
  const bool has_frames = dispatcher_->link_connected(index_);
  arm_keepalive();
  if (has_frames) pump();
}

void RelayLink::on_message(const core::WsClient* conn, bool binary, std::string data) {
  if (conn != conn_.get()) return;
  heard();
  if (binary) {
    dispatcher_->deliver(std::move(data));
  } else {
    // §5.2: the relay never sends text; rmb-peer logs and skips.
    core::log_line(core::LogLevel::kWarn, absl::StrCat("relay link ", text_, ": text frame of ", data.size(),
                                                       " bytes skipped (only binary envelopes are expected)"));
  }
}

void RelayLink::heard() {
  last_rx_ = Clock::now();
  pinged_since_data_ = false;
}

void RelayLink::pump() {
  if (!conn_ || writing_ || stopping_) return;
  auto frame = dispatcher_->next_frame(index_);
  if (!frame) return;
  // One frame at a time: the dispatcher keeps it as the link's in-flight frame until this
  // write completes, and hands it to another link when the connection is lost first.
  writing_ = true;
  conn_->send(std::move(frame), /*binary=*/true, [weak = weak_from_this(), raw = conn_.get()](absl::Status status) {
    auto self = weak.lock();
    // A failed write loses the connection: on_lost follows and drops it.
    if (!self || raw != self->conn_.get() || !status.ok()) return;
    self->writing_ = false;
    self->dispatcher_->frame_written(self->index_);
    self->pump();
  });
}

void RelayLink::arm_keepalive() {
  const auto& options = dispatcher_->options();
  const auto at = last_rx_ + (pinged_since_data_ ? options.silent_timeout : options.ping_after_idle);
  keepalive_timer_.expires_at(at);
  keepalive_timer_.async_wait([self = shared_from_this(), conn = conn_](error_code ec) {
    if (ec || conn != self->conn_ || self->stopping_) return;
    self->on_keepalive();
  });
}

void RelayLink::on_keepalive() {
  const auto& options = dispatcher_->options();
  const auto silent = Clock::now() - last_rx_;
  if (silent >= options.silent_timeout) {
    drop(conn_.get(), absl::StrCat("nothing received for ",
                                   std::chrono::duration_cast<std::chrono::milliseconds>(silent).count(), " ms"));
    return;
  }
  if (silent >= options.ping_after_idle && !pinged_since_data_ && !ping_pending_) {
    pinged_since_data_ = true;
    ping_pending_ = true;
    conn_->ping([weak = weak_from_this(), raw = conn_.get()](absl::Status status) {
      auto self = weak.lock();
      if (!self || raw != self->conn_.get()) return;
      self->ping_pending_ = false;
      if (!status.ok()) self->drop(raw, std::string(status.message()));
    });
  }
  arm_keepalive();
}

void RelayLink::drop(const core::WsClient* conn, const std::string& reason) {
  if (conn == nullptr || conn != conn_.get()) return;
  auto lost = std::move(conn_);  // leaves it empty
  writing_ = false;
  ping_pending_ = false;
  keepalive_timer_.cancel();
  // After a loss this only forgets the handlers; otherwise it says goodbye to the relay.
  lost->close(kCloseGrace);
  if (stopping_) return;
  dispatcher_->link_down(index_, reason);
  retry_later(reason, true);
}

void RelayLink::retry_later(const std::string& reason, bool was_connected) {
  if (stopping_) return;
  const auto delay = backoff_.next();
  if (!was_connected) dispatcher_->link_down(index_, reason);
  core::log_line(core::LogLevel::kWarn,
                 absl::StrCat("relay link ", text_, was_connected ? " disconnected: " : " connect failed: ", reason,
                              "; retrying in ", delay.count(), " ms"));
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->connect();
  });
}

}  // namespace rmb::gateway::link
