#pragma once
// One authenticated WebSocket session (PROTOCOL.md §5). Everything runs on the
// connection's strand; deliver/offer/close may be called from any thread and hop onto it.
//
// Beast performs the upgrade handshake only. After it the connection owns its socket:
// ws::FrameReader parses many client frames per read (routing them as they complete),
// FrameWriter sends many frames per write. Beast's per-message read and write operations
// cost more than routing did (issue 3's throughput target).
//
// Outbound: a queue of at most `send_queue` frames. When it is full the session enters
// back-pressure: deliver() refuses (the router stores the frame in the mailbox instead),
// and once the queue has drained to half, Mailbox::resume() hands the stored frames back
// in order. A session in back-pressure longer than `back_pressure_timeout` is evicted.
// Frames offered by the mailbox are confirmed to it (MailboxSink::Written) once written to
// the socket; still queued when the connection ends, they are simply not confirmed and the
// mailbox offers them again, in order, on the next attach (issue 11). Frames the router
// handed over directly go back through the router (to a replacing session or the mailbox,
// behind what is stored there) when the connection ends unwritten.
#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "relay/frame_writer.h"
#include "relay/net_types.h"
#include "relay/server_context.h"
#include "relay/session.h"
#include "relay/ws/frame_reader.h"

namespace rmb::relay {

template <class Stream>
class WsConnection final : public Session,
                           private ws::ReaderSink,
                           public std::enable_shared_from_this<WsConnection<Stream>> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  WsConnection(Stream&& stream, ServerContext& ctx, SessionId id, std::chrono::seconds max_age);
  ~WsConnection() override;

  // Completes the upgrade of `request`, registers the session and starts reading.
  // `early_bytes` are what the client sent after the request, before the upgrade answer.
  void start(Request request, std::string early_bytes);

  const SessionId& id() const override { return id_; }
  bool deliver(const Frame& frame) override { return enqueue(frame, nullptr, true); }
  bool offer(const Frame& frame, Written written) override { return enqueue(frame, std::move(written), false); }
  void close(CloseCause cause) override;

 private:
  using Timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                  boost::asio::wait_traits<std::chrono::steady_clock>, Strand>;

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  bool on_message(ws::MessageKind kind, std::string_view payload) override;
  void on_error(uint16_t close_code, std::string_view reason) override;
  void on_peer_close(std::string_view payload);
  void arm_idle_timer(std::chrono::milliseconds after);
  bool enqueue(const Frame& frame, Written written, bool from_router);
  void drain_inbox();
  void push(QueuedFrame item);
  void do_write();
  void on_write(size_t frames, size_t bytes, boost::beast::error_code ec);
  void enter_back_pressure();
  void check_back_pressure();
  void maybe_leave_back_pressure();
  void leave_back_pressure_if_drained();
  void begin_close(CloseCause cause);
  void do_close();
  // Sends a close frame now (after what is already queued) and ends the session.
  void close_now(uint16_t code, std::string_view reason, std::string_view label, std::string_view detail);
  void send_close_frame(uint16_t code, std::string_view reason);
  // `flush_first`: the socket closes once everything queued (the close frame) is written,
  // or after a bounded wait; otherwise at once.
  void teardown(std::string_view label, std::string_view detail, bool flush_first = false);
  void close_socket();
  // The steady clock in ms, the unit of back_pressure_since_.
  static int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  TcpSocket& lowest_socket();
  // A frame not written when the connection ended: a mailbox frame stays with the mailbox
  // (unconfirmed), a routed one goes back through the router.
  void give_back(QueuedFrame& item);

  FrameWriter<Stream> out_;
  std::unique_ptr<boost::beast::websocket::stream<Stream&>> handshake_;
  ws::FrameReader reader_;
  ServerContext& ctx_;
  const SessionId id_;
  const std::string name_;  // for logs
  const std::chrono::seconds max_age_;
  boost::asio::ip::address peer_;  // the client's address, for the per-IP ping limit
  std::string early_bytes_;

  // Cross-thread state.
  std::atomic<size_t> pending_{0};         // frames accepted and not yet written
  std::atomic<bool> back_pressure_{true};  // true until the mailbox backlog was offered
  std::atomic<bool> closing_{false};
  std::atomic<int64_t> back_pressure_since_{0};  // steady clock, ms
  std::atomic<bool> refused_{false};             // an offer was refused since the last resume
  std::atomic<bool> pressure_timer_armed_{false};

  // Frames accepted by enqueue() on other threads wait here for the strand: one post per
  // batch (when the inbox turns non-empty) instead of one per frame.
  std::mutex inbox_mu_;
  std::vector<QueuedFrame> inbox_;  // guarded by inbox_mu_
  bool drain_posted_ = false;       // guarded by inbox_mu_
  size_t drain_seen_ = 0;           // inbox size the posted drain last saw; guarded by inbox_mu_
  unsigned drain_hops_ = 0;         // times the posted drain waited for more; guarded by inbox_mu_

  // Strand-only state.
  std::deque<QueuedFrame> queue_;
  std::vector<QueuedFrame> draining_;  // inbox_ swapped out, keeps its capacity
  bool writing_ = false;
  size_t in_flight_ = 0;  // frames at the front of queue_ being written
  bool registered_ = false;
  bool torn_down_ = false;
  bool close_sent_ = false;
  bool socket_closed_ = false;
  std::optional<CloseCause> close_cause_;
  std::chrono::steady_clock::time_point last_read_;
  Timer age_timer_;
  Timer pressure_timer_;
  Timer close_timer_;
  Timer idle_timer_;
};

}  // namespace rmb::relay
