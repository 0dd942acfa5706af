#include "relay/ws_connection.h"

#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "relay/log.h"

namespace rmb::relay {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

websocket::close_code close_code_for(CloseCause cause) {
  switch (cause) {
    case CloseCause::kReplaced: return websocket::close_code::policy_error;
    case CloseCause::kBackPressure: return websocket::close_code::try_again_later;
    case CloseCause::kSessionAge: return websocket::close_code::policy_error;
    case CloseCause::kInvalidEnvelope: return websocket::close_code::bad_payload;
    case CloseCause::kTextFrame: return websocket::close_code::unknown_data;
    case CloseCause::kCapacity: return websocket::close_code::try_again_later;
    case CloseCause::kShutdown: return websocket::close_code::going_away;
  }
  return websocket::close_code::normal;
}

// Time allowed for the close handshake and the WebSocket upgrade itself.
constexpr std::chrono::seconds kHandshakeTimeout{10};

}  // namespace

template <class Stream>
WsConnection<Stream>::WsConnection(Stream&& stream, ServerContext& ctx, SessionId id, std::chrono::seconds max_age)
    : ws_(std::move(stream)),
      ctx_(ctx),
      id_(std::move(id)),
      name_(id_.to_string()),
      max_age_(max_age),
      age_timer_(ws_.get_executor()),
      pressure_timer_(ws_.get_executor()),
      close_timer_(ws_.get_executor()) {
  back_pressure_since_ = steady_ms();
}

template <class Stream>
WsConnection<Stream>::~WsConnection() = default;

template <class Stream>
void WsConnection<Stream>::start(Request request) {
  // keep_alive_pings off: a peer that sends nothing (not even pongs or pings) for the
  // idle timeout is gone; rmb-peer pings every 20 s on its own (§5.3).
  ws_.set_option(websocket::stream_base::timeout{kHandshakeTimeout, ctx_.config.idle_timeout, false});
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "rmb-relay"); }));
  ws_.read_message_max(ctx_.config.max_frame_size);
  ws_.binary(true);
  ws_.async_accept(request, beast::bind_front_handler(&WsConnection::on_accept, this->shared_from_this()));
}

template <class Stream>
void WsConnection<Stream>::on_accept(beast::error_code ec) {
  if (ec) {
    log_debug("session ", name_, ": upgrade failed: ", ec.message());
    return;
  }
  auto self = this->shared_from_this();
  auto added = ctx_.sessions.add(self);
  if (!added.ok()) {
    log_warn("session ", name_, " refused: ", added.status().message());
    begin_close(CloseCause::kCapacity);
    do_read();
    return;
  }
  registered_ = true;
  if (*added) {
    log_info("session ", name_, ": a newer connection replaces the current one");
    (*added)->close(CloseCause::kReplaced);
  }
  log_info("session ", name_, " connected");
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
  do_read();
}

template <class Stream>
void WsConnection<Stream>::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsConnection::on_read, this->shared_from_this()));
}

template <class Stream>
void WsConnection<Stream>::on_read(beast::error_code ec, size_t) {
  if (ec) {
    if (ec == websocket::error::closed) {
      teardown("closed", "");
    } else if (ec == net::error::eof || ec == beast::http::error::end_of_stream ||
               ec == net::error::connection_reset) {
      teardown("closed", "without a close frame");
    } else if (ec == beast::error::timeout) {
      teardown("idle_timeout", "");
    } else if (ec == websocket::error::message_too_big) {
      ctx_.metrics.drops.inc("oversize_frame");
      log_info("drop oversize_frame: from=", name_, " (limit ", ctx_.config.max_frame_size, " bytes)");
      teardown("oversize_frame", "");
    } else {
      teardown("error", ec.message());
    }
    return;
  }
  if (close_cause_) {
    // Closing: discard whatever arrives until the close handshake completes.
    buffer_.consume(buffer_.size());
    do_read();
    return;
  }
  if (!ws_.got_binary()) {
    buffer_.consume(buffer_.size());
    ctx_.metrics.drops.inc("text_frame");
    log_info("drop text_frame: from=", name_);
    begin_close(CloseCause::kTextFrame);
    do_read();
    return;
  }
  Frame frame = std::make_shared<const std::string>(beast::buffers_to_string(buffer_.data()));
  buffer_.consume(buffer_.size());
  // The next read first: when more frames are already buffered its completion is queued
  // ahead of the receivers' drains this frame posts, so those drains see the whole burst.
  do_read();
  if (!ctx_.router.route_from_session(id_, std::move(frame))) begin_close(CloseCause::kInvalidEnvelope);
}

template <class Stream>
bool WsConnection<Stream>::enqueue(const Frame& frame, bool from_router) {
  if (closing_.load(std::memory_order_acquire)) {
    if (!from_router) refused_ = true;
    return false;
  }
  if (from_router && back_pressure_.load(std::memory_order_acquire)) return false;
  if (pending_.fetch_add(1) >= ctx_.config.send_queue) {
    pending_.fetch_sub(1);
    enter_back_pressure();
    return false;
  }
  bool post = false;
  {
    std::lock_guard lock(inbox_mu_);
    inbox_.push_back(frame);
    post = !std::exchange(drain_posted_, true);
    if (post) {
      drain_seen_ = inbox_.size();
      drain_hops_ = 0;
    }
  }
  if (post) net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->drain_inbox(); });
  return true;
}

template <class Stream>
void WsConnection<Stream>::drain_inbox() {
  // While frames keep arriving (the senders' reads are queued ahead of this drain), wait
  // one more turn of the event loop, a few times at most: the burst then leaves in one
  // write instead of one write per frame or two. An idle session's frame waits one post.
  constexpr unsigned kMaxHops = 8;
  constexpr size_t kEnoughFrames = 256;
  bool again = false;
  {
    std::lock_guard lock(inbox_mu_);
    if (inbox_.size() > drain_seen_ && inbox_.size() < kEnoughFrames && drain_hops_ < kMaxHops) {
      drain_seen_ = inbox_.size();
      ++drain_hops_;
      again = true;
    } else {
      draining_.swap(inbox_);
      drain_posted_ = false;
    }
  }
  if (again) {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->drain_inbox(); });
    return;
  }
  for (Frame& frame : draining_) push(std::move(frame));
  draining_.clear();
  // A burst's capacity is kept for the next one, unless large (idle sessions stay small).
  if (draining_.capacity() > 1024) std::vector<Frame>().swap(draining_);
  if (!writing_ && !close_sent_ && !torn_down_ && !queue_.empty()) do_write();
}

template <class Stream>
void WsConnection<Stream>::push(Frame frame) {
  if (torn_down_) {
    pending_.fetch_sub(1);
    reroute(std::move(frame));
    return;
  }
  queue_.push_back(std::move(frame));
}

template <class Stream>
void WsConnection<Stream>::do_write() {
  // One write takes what is queued, bounded so a long queue of large frames does not
  // become one huge write (the rest follows in the next one).
  constexpr size_t kMaxBatchFrames = 512;
  constexpr size_t kMaxBatchBytes = 1 << 20;
  size_t frames = 0;
  size_t bytes = 0;
  for (auto it = queue_.begin(); it != queue_.end() && frames < kMaxBatchFrames; ++it) {
    if (frames > 0 && bytes + (*it)->size() > kMaxBatchBytes) break;
    bytes += (*it)->size();
    ++frames;
  }
  writing_ = true;
  in_flight_ = frames;
  ws_.next_layer().write_frames(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(frames),
                                [self = this->shared_from_this(), frames, bytes](beast::error_code ec) {
                                  self->on_write(frames, bytes, ec);
                                });
}

template <class Stream>
void WsConnection<Stream>::on_write(size_t frames, size_t bytes, beast::error_code ec) {
  writing_ = false;
  in_flight_ = 0;
  if (torn_down_) {
    queue_.clear();
    return;
  }
  if (ec) {
    teardown("error", cat("write failed: ", ec.message()));
    return;
  }
  ctx_.metrics.message_tx.inc(frames);
  ctx_.metrics.message_tx_bytes.inc(bytes);
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(frames));
  pending_.fetch_sub(frames);
  if (back_pressure_.load() && pending_.load() <= ctx_.config.send_queue / 2) maybe_leave_back_pressure();
  if (!queue_.empty()) {
    do_write();
  } else if (close_cause_ && !close_sent_) {
    do_close();
  }
}

template <class Stream>
void WsConnection<Stream>::enter_back_pressure() {
  refused_ = true;
  if (!back_pressure_.exchange(true)) back_pressure_since_ = steady_ms();
  if (!pressure_timer_armed_.exchange(true)) {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->check_back_pressure(); });
  } else {
    // The writes may all have completed on the strand before back_pressure_ was set here
    // (they only resume when they see it): look once more from the strand.
    net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->leave_back_pressure_if_drained(); });
  }
}

template <class Stream>
void WsConnection<Stream>::leave_back_pressure_if_drained() {
  if (back_pressure_.load() && registered_ && !writing_ && pending_.load() <= ctx_.config.send_queue / 2) {
    maybe_leave_back_pressure();
  }
}

template <class Stream>
void WsConnection<Stream>::check_back_pressure() {
  leave_back_pressure_if_drained();
  if (torn_down_ || close_cause_ || !back_pressure_.load() || !registered_) {
    pressure_timer_armed_ = false;
    return;
  }
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.config.back_pressure_timeout);
  const int64_t stuck = steady_ms() - back_pressure_since_.load();
  if (stuck >= limit.count()) {
    pressure_timer_armed_ = false;
    log_warn("session ", name_, " in back-pressure for ", stuck, " ms: evicting");
    begin_close(CloseCause::kBackPressure);
    return;
  }
  pressure_timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(limit.count() - stuck, 100)));
  pressure_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (ec) {
      self->pressure_timer_armed_ = false;
      return;
    }
    self->check_back_pressure();
  });
}

template <class Stream>
void WsConnection<Stream>::maybe_leave_back_pressure() {
  if (close_cause_ || torn_down_) return;
  // Hand the mailbox's frames back first, then let the router deliver directly again
  // (unless an offer was refused: then the mailbox still holds some and the next drained
  // write tries again).
  refused_ = false;
  ctx_.mailbox.resume(id_);
  if (!refused_.load()) back_pressure_ = false;
}

template <class Stream>
void WsConnection<Stream>::close(CloseCause cause) {
  net::post(ws_.get_executor(), [self = this->shared_from_this(), cause] { self->begin_close(cause); });
}

template <class Stream>
void WsConnection<Stream>::begin_close(CloseCause cause) {
  if (close_cause_ || torn_down_) return;
  close_cause_ = cause;
  closing_ = true;
  log_info("closing session ", name_, ": ", close_cause_reason(cause));
  // Queued writes get a bounded time to flush; after it the socket is cut and whatever is
  // left goes back through the router (teardown).
  close_timer_.expires_after(ctx_.config.shutdown_grace + kHandshakeTimeout / 2);
  close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (ec || self->torn_down_) return;
    log_debug("session ", self->name_, ": close timed out, cutting the connection");
    beast::get_lowest_layer(self->ws_).close();
  });
  if (!writing_) do_close();
}

template <class Stream>
void WsConnection<Stream>::do_close() {
  close_sent_ = true;
  // At shutdown the server waits for the registry to empty: a session whose queue is
  // flushed and whose close frame is going out is done (the peer's close reply is not
  // waited for).
  if (*close_cause_ == CloseCause::kShutdown && registered_) ctx_.sessions.remove(id_, this);
  websocket::close_reason reason(close_code_for(*close_cause_), std::string(close_cause_reason(*close_cause_)));
  ws_.async_close(reason, [self = this->shared_from_this()](beast::error_code ec) {
    if (ec) log_debug("session ", self->name_, ": close: ", ec.message());
    self->teardown("closed", "");
  });
}

template <class Stream>
void WsConnection<Stream>::reroute(Frame frame) {
  const uint64_t expires_at = ctx_.router.expiry_of_frame(*frame);
  ctx_.router.deliver(id_, std::move(frame), expires_at, [name = name_, &metrics = ctx_.metrics](absl::Status s) {
    if (!s.ok()) {
      metrics.drops.inc("reroute_failed");
      log_warn("drop reroute_failed: to=", name, ": ", s.message());
    }
  });
}

template <class Stream>
void WsConnection<Stream>::teardown(std::string_view label, std::string_view detail) {
  if (torn_down_) return;
  torn_down_ = true;
  closing_ = true;
  age_timer_.cancel();
  pressure_timer_.cancel();
  close_timer_.cancel();
  if (close_cause_) label = close_cause_label(*close_cause_);
  if (registered_) {
    ctx_.metrics.evictions.inc(label);
    ctx_.sessions.remove(id_, this);
    ctx_.mailbox.detach(id_, this);
    log_info("session ", name_, " disconnected (", label, detail.empty() ? "" : ": ", detail, ")");
  }
  // Not written: back through the router, to a replacing session or the mailbox. Frames
  // whose write is still in flight stay referenced until that write completes.
  for (const auto& frame : queue_) {
    pending_.fetch_sub(1);
    reroute(frame);
  }
  if (writing_) {
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(in_flight_), queue_.end());
  } else {
    queue_.clear();
  }
  beast::get_lowest_layer(ws_).close();
}

// The relay never enables permessage-deflate (Beast's default is off); the frames built
// by CoalescingStream would stay valid if it did (RSV1 clear = uncompressed, RFC 7692 §6).
template class WsConnection<beast::tcp_stream>;
template class WsConnection<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace rmb::relay
