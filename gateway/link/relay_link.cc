#include "gateway/link/relay_link.h"

#include <random>

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/error.hpp>

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

uint64_t random_seed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

std::string why(const char* what, const error_code& ec) {
  if (ec == boost::beast::websocket::error::closed) return absl::StrCat(what, ": the relay closed the connection");
  return absl::StrCat(what, ": ", ec.message());
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
  ConnectionOptions conn_options;
  conn_options.connect_timeout = options.connect_timeout;
  auto conn = make_connection(strand_, url_->tls ? *tls_ : nullptr, *url_, conn_options);
  connecting_ = conn;
  // The token is the whole raw query (§4.2): a query in the URL is replaced, as rmb-peer does.
  conn->open(absl::StrCat(url_->path, "?", jwt),
             [self = shared_from_this(), conn](absl::Status status) { self->on_open(conn, status); });
}

void RelayLink::on_open(const std::shared_ptr<Connection>& conn, const absl::Status& status) {
  if (stopping_ || conn != connecting_) {
    conn->close(kCloseGrace);
    return;
  }
  connecting_.reset();
  if (!status.ok()) {
    retry_later(std::string(status.message()), false);
    return;
  }
  conn_ = conn;
  backoff_.reset();
  last_rx_ = Clock::now();
  pinged_since_data_ = false;
  ping_pending_ = false;
  writing_ = false;
  // Pongs count as life (§5.3: "no frame at all (including pongs)").
  std::weak_ptr<RelayLink> weak = weak_from_this();
  conn_->on_control([weak] {
    if (auto self = weak.lock()) {
      self->last_rx_ = Clock::now();
      self->pinged_since_data_ = false;
    }
  });
  const bool has_frames = dispatcher_->link_connected(index_);
  read_next();
  arm_keepalive();
  if (has_frames) pump();
}

void RelayLink::read_next() {
  conn_->read([self = shared_from_this(), conn = conn_](error_code ec, bool binary, std::string data) {
    if (conn != self->conn_) return;
    if (ec) {
      self->drop(conn, why("read failed", ec));
      return;
    }
    self->last_rx_ = Clock::now();
    self->pinged_since_data_ = false;
    if (binary) {
      self->dispatcher_->deliver(std::move(data));
    } else {
      // §5.2: the relay never sends text; rmb-peer logs and skips.
      core::log_line(core::LogLevel::kWarn, absl::StrCat("relay link ", self->text_, ": text frame of ", data.size(),
                                                         " bytes skipped (only binary envelopes are expected)"));
    }
    // The frame handler may have stopped everything.
    if (conn == self->conn_) self->read_next();
  });
}

void RelayLink::pump() {
  if (!conn_ || writing_ || stopping_) return;
  auto frame = dispatcher_->next_frame(index_);
  if (!frame) return;
  writing_ = true;
  conn_->write(std::move(frame), [self = shared_from_this(), conn = conn_](error_code ec) {
    if (conn != self->conn_) return;
    self->writing_ = false;
    if (ec) {
      self->drop(conn, why("write failed", ec));
      return;
    }
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
    drop(conn_, absl::StrCat("nothing received for ",
                             std::chrono::duration_cast<std::chrono::milliseconds>(silent).count(), " ms"));
    return;
  }
  if (silent >= options.ping_after_idle && !pinged_since_data_ && !ping_pending_) {
    pinged_since_data_ = true;
    ping_pending_ = true;
    conn_->ping([self = shared_from_this(), conn = conn_](error_code ec) {
      if (conn != self->conn_) return;
      self->ping_pending_ = false;
      if (ec) self->drop(conn, why("ping failed", ec));
    });
  }
  arm_keepalive();
}

void RelayLink::drop(std::shared_ptr<Connection> conn, const std::string& reason) {
  if (conn != conn_ || !conn_) return;
  conn_.reset();
  writing_ = false;
  ping_pending_ = false;
  keepalive_timer_.cancel();
  conn->close(kCloseGrace);
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
