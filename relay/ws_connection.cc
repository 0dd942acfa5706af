// WsConnection (relay/ws_connection.h): the upgrade, the read side, closing. The outbound
// queue, writes and back-pressure are in ws_connection_send.cc.
#include "relay/ws_connection.h"

#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "core/obs/log.h"
#include "core/obs/log_throttle.h"

namespace rmb::relay {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

uint16_t close_code_for(CloseCause cause) {
  switch (cause) {
    case CloseCause::kReplaced:
      return ws::kClosePolicyError;
    case CloseCause::kBackPressure:
      return ws::kCloseTryAgainLater;
    case CloseCause::kSessionAge:
      return ws::kClosePolicyError;
    case CloseCause::kInvalidEnvelope:
      return ws::kCloseBadPayload;
    case CloseCause::kTextFrame:
      return ws::kCloseUnknownData;
    case CloseCause::kCapacity:
      return ws::kCloseTryAgainLater;
    case CloseCause::kShutdown:
      return ws::kCloseGoingAway;
  }
  return ws::kCloseNormal;
}

// Time allowed for the close handshake and the WebSocket upgrade itself.
constexpr std::chrono::seconds kHandshakeTimeout{10};

ws::FrameReader::Limits reader_limits(const Config& config) {
  ws::FrameReader::Limits limits;
  limits.max_message = config.max_frame_size;
  return limits;
}

}  // namespace

template <class Stream>
WsConnection<Stream>::WsConnection(Stream&& stream, ServerContext& ctx, SessionId id, std::chrono::seconds max_age)
    : out_(std::move(stream)),
      reader_(reader_limits(ctx.config)),
      ctx_(ctx),
      id_(std::move(id)),
      name_(id_.to_string()),
      max_age_(max_age),
      age_timer_(out_.get_executor()),
      pressure_timer_(out_.get_executor()),
      close_timer_(out_.get_executor()),
      idle_timer_(out_.get_executor()) {
  back_pressure_since_ = steady_ms();
}

template <class Stream>
WsConnection<Stream>::~WsConnection() = default;

template <class Stream>
void WsConnection<Stream>::start(Request request, std::string early_bytes) {
  early_bytes_ = std::move(early_bytes);
  beast::error_code ignored;
  peer_ = lowest_socket().remote_endpoint(ignored).address();
  handshake_ = std::make_unique<websocket::stream<Stream&>>(out_.next_layer());
  handshake_->set_option(websocket::stream_base::timeout{kHandshakeTimeout, websocket::stream_base::none(), false});
  handshake_->set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "rmb-relay"); }));
  handshake_->async_accept(request, beast::bind_front_handler(&WsConnection::on_accept, this->shared_from_this()));
}

template <class Stream>
void WsConnection<Stream>::on_accept(beast::error_code ec) {
  // Beast's stream is done; it goes once its operation has fully returned.
  net::post(out_.get_executor(), [self = this->shared_from_this()] { self->handshake_.reset(); });
  if (ec) {
    core::log_debug("session ", name_, ": upgrade failed: ", ec.message());
    return;
  }
  auto self = this->shared_from_this();
  last_read_ = std::chrono::steady_clock::now();
  if (ctx_.config.idle_timeout.count() > 0) arm_idle_timer(ctx_.config.idle_timeout);
  auto added = ctx_.sessions.add(self);
  if (!added.ok()) {
    core::log_warn("session ", name_, " refused: ", added.status().message());
    begin_close(CloseCause::kCapacity);
    do_read();
    return;
  }
  registered_ = true;
  if (*added) {
    core::log_info("session ", name_, ": a newer connection replaces the current one");
    (*added)->close(CloseCause::kReplaced);
  }
  core::log_info("session ", name_, " connected");
  // back_pressure_ is still true: routed frames go to the mailbox behind the backlog
  // until the backlog has been offered.
  ctx_.mailbox.attach(id_, self);
  maybe_leave_back_pressure();
  if (max_age_.count() > 0) {
    age_timer_.expires_after(max_age_);
    age_timer_.async_wait([self](beast::error_code timer_ec) {
      if (!timer_ec) self->begin_close(CloseCause::kSessionAge);
    });
  }
  if (!early_bytes_.empty()) {
    const bool more = reader_.feed(early_bytes_, *this);
    std::string().swap(early_bytes_);
    if (!more) return;
  }
  do_read();
}

template <class Stream>
void WsConnection<Stream>::arm_idle_timer(std::chrono::milliseconds after) {
  // One timer per idle period, not one per read: a read only stamps last_read_.
  idle_timer_.expires_after(after);
  idle_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (ec || self->torn_down_) return;
    const auto idle =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - self->last_read_);
    const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(self->ctx_.config.idle_timeout);
    if (idle >= limit) {
      core::log_info("session ", self->name_, ": nothing received for ", idle.count(), " ms");
      self->close_now(ws::kCloseNormal, "idle timeout", "idle_timeout", "");
      return;
    }
    self->arm_idle_timer(limit - idle);
  });
}

template <class Stream>
void WsConnection<Stream>::do_read() {
  out_.next_layer().async_read_some(net::buffer(reader_.read_data(), reader_.read_size()),
                                    beast::bind_front_handler(&WsConnection::on_read, this->shared_from_this()));
}

template <class Stream>
void WsConnection<Stream>::on_read(beast::error_code ec, size_t bytes) {
  if (torn_down_) return;
  if (ec) {
    if (ec == net::error::eof || ec == net::error::connection_reset || ec == net::ssl::error::stream_truncated) {
      teardown("closed", "without a close frame");
    } else if (ec == net::error::operation_aborted) {
      teardown("closed", "");
    } else {
      teardown("error", ec.message());
    }
    return;
  }
  last_read_ = std::chrono::steady_clock::now();
  if (reader_.commit(bytes, *this)) do_read();
}

template <class Stream>
bool WsConnection<Stream>::on_message(ws::MessageKind kind, std::string_view payload) {
  switch (kind) {
    case ws::MessageKind::kClose:
      on_peer_close(payload);
      return false;
    case ws::MessageKind::kPing:
      // §5.5.3: a pong with the ping's payload. Not once our close frame is out.
      if (close_sent_) return true;
      if (out_.unsent_controls() >= ctx_.config.max_owed_pongs) {
        // It pings and does not read: its pongs would pile up here without bound.
        ctx_.metrics.drops.with("owed_pongs").inc();
        core::log_info("drop owed_pongs: ", name_, " does not read its pongs (", out_.unsent_controls(), " queued)");
        close_now(ws::kClosePolicyError, "too many unanswered pings", "owed_pongs", "");
        return false;
      }
      if (!ctx_.ip_limits.pings.allow(peer_)) {
        static core::LogThrottle throttle;
        ctx_.metrics.drops.with("ip_ping_limit").inc();
        throttle.warn("closing session ", name_, " from ", peer_.to_string(), ": over --ip-pings-per-second");
        close_now(ws::kClosePolicyError, "too many pings from this address", "ip_ping_limit", "");
        return false;
      }
      out_.write_control(ws::Opcode::kPong, payload);
      return true;
    case ws::MessageKind::kPong:
      return true;
    case ws::MessageKind::kText:
      if (close_cause_) return true;
      ctx_.metrics.drops.with("text_frame").inc();
      core::log_info("drop text_frame: from=", name_);
      begin_close(CloseCause::kTextFrame);
      return true;
    case ws::MessageKind::kBinary:
      break;
  }
  // Closing: discard whatever arrives until the close handshake completes.
  if (close_cause_) return true;
  Frame frame = std::make_shared<const std::string>(payload);
  if (!ctx_.router.route_from_session(id_, std::move(frame))) begin_close(CloseCause::kInvalidEnvelope);
  return true;
}

template <class Stream>
void WsConnection<Stream>::on_peer_close(std::string_view payload) {
  if (close_sent_) {
    // The answer to our close frame: the handshake is complete.
    teardown("closed", "");
    return;
  }
  uint16_t code = 0;
  std::string_view reason;
  if (!ws::parse_close_payload(payload, code, reason)) {
    close_now(ws::kCloseProtocolError, "bad close frame", "error", "bad close frame");
    return;
  }
  // §5.5.1: answer with a close frame, echoing the code.
  close_now(code == ws::kCloseNoStatus ? ws::kCloseNormal : code, "", "closed", "");
}

template <class Stream>
void WsConnection<Stream>::on_error(uint16_t close_code, std::string_view reason) {
  if (close_code == ws::kCloseTooBig) {
    ctx_.metrics.drops.with("oversize_frame").inc();
    core::log_info("drop oversize_frame: from=", name_, " (limit ", ctx_.config.max_frame_size, " bytes)");
    close_now(close_code, reason, "oversize_frame", "");
    return;
  }
  ctx_.metrics.drops.with("protocol_error").inc();
  core::log_info("drop protocol_error: from=", name_, ": ", reason);
  close_now(close_code, reason, "error", reason);
}

template <class Stream>
void WsConnection<Stream>::close_now(uint16_t code, std::string_view reason, std::string_view label,
                                     std::string_view detail) {
  if (torn_down_) return;
  if (!close_sent_) send_close_frame(code, reason);
  teardown(label, detail, true);
}

template <class Stream>
void WsConnection<Stream>::send_close_frame(uint16_t code, std::string_view reason) {
  close_sent_ = true;
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, ws::kMaxControlPayload - 2));
  out_.write_control(ws::Opcode::kClose, payload);
}

template <class Stream>
void WsConnection<Stream>::close(CloseCause cause) {
  net::post(out_.get_executor(), [self = this->shared_from_this(), cause] { self->begin_close(cause); });
}

template <class Stream>
void WsConnection<Stream>::begin_close(CloseCause cause) {
  if (close_cause_ || torn_down_) return;
  close_cause_ = cause;
  closing_ = true;
  core::log_info("closing session ", name_, ": ", close_cause_reason(cause));
  // Queued writes get a bounded time to flush; after it the socket is cut and whatever is
  // left goes back through the router (teardown).
  close_timer_.expires_after(ctx_.config.shutdown_grace + kHandshakeTimeout / 2);
  close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (ec || self->torn_down_) return;
    core::log_debug("session ", self->name_, ": close timed out, cutting the connection");
    self->close_socket();
  });
  if (!writing_) do_close();
}

template <class Stream>
void WsConnection<Stream>::do_close() {
  // At shutdown the server waits for the registry to empty: a session whose queue is
  // flushed and whose close frame is going out is done (the peer's close reply is not
  // waited for).
  if (*close_cause_ == CloseCause::kShutdown && registered_) ctx_.sessions.remove(id_, this);
  // The reader keeps going: the peer's close frame completes the handshake (or the close
  // timer cuts the connection).
  send_close_frame(close_code_for(*close_cause_), close_cause_reason(*close_cause_));
}

template <class Stream>
void WsConnection<Stream>::give_back(QueuedFrame& item) {
  // From the mailbox: it still holds the frame (unconfirmed) and offers it again on the
  // next attach, in its place.
  if (item.written) return;
  const uint64_t expires_at = ctx_.router.expiry_of_frame(*item.frame);
  ctx_.router.deliver(id_, item.frame, expires_at, [name = name_, &metrics = ctx_.metrics](absl::Status s) {
    if (!s.ok()) {
      metrics.drops.with("reroute_failed").inc();
      core::log_warn("drop reroute_failed: to=", name, ": ", s.message());
    }
  });
}

template <class Stream>
void WsConnection<Stream>::teardown(std::string_view label, std::string_view detail, bool flush_first) {
  if (torn_down_) return;
  torn_down_ = true;
  closing_ = true;
  age_timer_.cancel();
  pressure_timer_.cancel();
  close_timer_.cancel();
  idle_timer_.cancel();
  if (close_cause_) label = close_cause_label(*close_cause_);
  if (registered_) {
    ctx_.metrics.evictions.with(label).inc();
    ctx_.sessions.remove(id_, this);
    ctx_.mailbox.detach(id_, this);
    core::log_info("session ", name_, " disconnected (", label, detail.empty() ? "" : ": ", detail, ")");
  }
  // Not written: mailbox frames stay with the mailbox, routed ones go back through the
  // router. Frames whose write is still in flight stay here until that write completes
  // (and are confirmed to the mailbox if it succeeds).
  for (size_t i = in_flight_; i < queue_.size(); ++i) {
    pending_.fetch_sub(1);
    give_back(queue_[i]);
  }
  if (writing_) {
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(in_flight_), queue_.end());
  } else {
    queue_.clear();
  }
  if (!flush_first) {
    close_socket();
    return;
  }
  // The close frame leaves first; a peer that does not read gets a bounded wait.
  out_.when_flushed([self = this->shared_from_this()] { self->close_socket(); });
  close_timer_.expires_after(kHandshakeTimeout / 2);
  close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (!ec) self->close_socket();
  });
}

template <class Stream>
TcpSocket& WsConnection<Stream>::lowest_socket() {
  if constexpr (std::is_same_v<Stream, TcpSocket>) {
    return out_.next_layer();
  } else {
    return beast::get_lowest_layer(out_.next_layer()).socket();
  }
}

template <class Stream>
void WsConnection<Stream>::close_socket() {
  if (socket_closed_) return;
  socket_closed_ = true;
  close_timer_.cancel();
  beast::error_code ignored;
  auto& socket = lowest_socket();
  socket.shutdown(net::socket_base::shutdown_both, ignored);
  socket.close(ignored);
}

// The upgrade never negotiates permessage-deflate (Beast's default is off): the reader
// refuses RSV bits, the writer sends none.
template class WsConnection<TcpSocket>;
template class WsConnection<TlsStream>;

}  // namespace rmb::relay
