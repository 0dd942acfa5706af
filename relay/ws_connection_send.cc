// WsConnection's outbound side (relay/ws_connection.h): frames accepted from any thread,
// batched onto the strand, written many per write, and the back-pressure that bounds them.
// The upgrade, the read side and closing are in ws_connection.cc.
#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>

#include "core/obs/log.h"
#include "relay/ws_connection.h"

namespace rmb::relay {

namespace beast = boost::beast;
namespace net = boost::asio;

template <class Stream>
bool WsConnection<Stream>::enqueue(const Frame& frame, Written written, bool from_router) {
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
    inbox_.push_back(QueuedFrame{frame, std::move(written)});
    post = !std::exchange(drain_posted_, true);
    if (post) {
      drain_seen_ = inbox_.size();
      drain_hops_ = 0;
    }
  }
  if (post) net::post(out_.get_executor(), [self = this->shared_from_this()] { self->drain_inbox(); });
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
    net::post(out_.get_executor(), [self = this->shared_from_this()] { self->drain_inbox(); });
    return;
  }
  for (QueuedFrame& item : draining_) push(std::move(item));
  draining_.clear();
  // A burst's capacity is kept for the next one, unless large (idle sessions stay small).
  if (draining_.capacity() > 1024) std::vector<QueuedFrame>().swap(draining_);
  if (!writing_ && !close_sent_ && !torn_down_ && !queue_.empty()) do_write();
}

template <class Stream>
void WsConnection<Stream>::push(QueuedFrame item) {
  if (torn_down_) {
    pending_.fetch_sub(1);
    give_back(item);
    return;
  }
  queue_.push_back(std::move(item));
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
    if (frames > 0 && bytes + it->frame->size() > kMaxBatchBytes) break;
    bytes += it->frame->size();
    ++frames;
  }
  writing_ = true;
  in_flight_ = frames;
  out_.write_frames(
      queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(frames),
      [self = this->shared_from_this(), frames, bytes](beast::error_code ec) { self->on_write(frames, bytes, ec); });
}

template <class Stream>
void WsConnection<Stream>::on_write(size_t frames, size_t bytes, beast::error_code ec) {
  writing_ = false;
  in_flight_ = 0;
  if (!ec) {
    // On the socket: the mailbox may forget these (also when the session is ending).
    for (size_t i = 0; i < frames; ++i) {
      if (auto& written = queue_[i].written) std::exchange(written, nullptr)();
    }
  }
  if (torn_down_) {
    // Ended while this write was in flight: if it failed, its frames go back as at teardown.
    if (ec) {
      for (size_t i = 0; i < frames && i < queue_.size(); ++i) give_back(queue_[i]);
    }
    queue_.clear();
    return;
  }
  if (ec) {
    teardown("error", core::cat("write failed: ", ec.message()));
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
    net::post(out_.get_executor(), [self = this->shared_from_this()] { self->check_back_pressure(); });
  } else {
    // The writes may all have completed on the strand before back_pressure_ was set here
    // (they only resume when they see it): look once more from the strand.
    net::post(out_.get_executor(), [self = this->shared_from_this()] { self->leave_back_pressure_if_drained(); });
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
    core::log_warn("session ", name_, " in back-pressure for ", stuck, " ms: evicting");
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

// The members defined here, for both streams (ws_connection.cc instantiates the class, which
// covers only the members defined there).
template bool WsConnection<TcpSocket>::enqueue(const Frame&, Written, bool);
template void WsConnection<TcpSocket>::drain_inbox();
template void WsConnection<TcpSocket>::push(QueuedFrame);
template void WsConnection<TcpSocket>::do_write();
template void WsConnection<TcpSocket>::on_write(size_t, size_t, beast::error_code);
template void WsConnection<TcpSocket>::enter_back_pressure();
template void WsConnection<TcpSocket>::leave_back_pressure_if_drained();
template void WsConnection<TcpSocket>::check_back_pressure();
template void WsConnection<TcpSocket>::maybe_leave_back_pressure();
template bool WsConnection<TlsStream>::enqueue(const Frame&, Written, bool);
template void WsConnection<TlsStream>::drain_inbox();
template void WsConnection<TlsStream>::push(QueuedFrame);
template void WsConnection<TlsStream>::do_write();
template void WsConnection<TlsStream>::on_write(size_t, size_t, beast::error_code);
template void WsConnection<TlsStream>::enter_back_pressure();
template void WsConnection<TlsStream>::leave_back_pressure_if_drained();
template void WsConnection<TlsStream>::check_back_pressure();
template void WsConnection<TlsStream>::maybe_leave_back_pressure();

}  // namespace rmb::relay
