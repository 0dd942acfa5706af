#pragma once
// Owns all writing to a WebSocket connection's socket, so that many routed frames leave in
// ONE socket write.
//
// Why: one socket write per delivered frame cost about 40 % of the relay's CPU. Here the
// connection hands whole frames to write_frames(); their headers are built by hand
// (ws/frame_header.h) and every frame queued while a write is in flight leaves with the
// next gathered write. Control frames (pong, close) join the same ordered queue, so
// nothing the relay sends can land in the middle of another frame.
//
// Single-threaded: everything runs on the stream's executor (the connection's strand).
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include "relay/mailbox/mailbox.h"
#include "relay/ws/frame_header.h"

namespace rmb::relay {

// A frame waiting for the socket, with the mailbox's confirmation when it came from there
// (called once the frame was written; see MailboxSink::Written).
struct QueuedFrame {
  Frame frame;
  MailboxSink::Written written;
};

template <class Next>
class FrameWriter {
 public:
  using executor_type = typename Next::executor_type;
  using next_layer_type = Next;
  using Done = std::function<void(boost::beast::error_code)>;

  // Frames up to this size are copied into the write buffer (one piece for many small
  // frames); larger ones are written from the shared frame itself.
  static constexpr size_t kCopyLimit = 16 * 1024;

  explicit FrameWriter(Next&& next) : next_(std::move(next)), state_(std::make_shared<State>()) {
    state_->stream = this;
  }
  ~FrameWriter() { state_->stream = nullptr; }
  FrameWriter(const FrameWriter&) = delete;
  FrameWriter& operator=(const FrameWriter&) = delete;

  Next& next_layer() { return next_; }
  const Next& next_layer() const { return next_; }
  executor_type get_executor() noexcept { return next_.get_executor(); }

  // A control frame (pong, close) behind everything queued.
  void write_control(ws::Opcode opcode, std::string_view payload) {
    if (state_->error) return;
    ++state_->queued_controls;
    unsigned char header[ws::kMaxServerFrameHeader];
    const size_t header_size = ws::write_frame_header(opcode, payload.size(), header);
    state_->queued.append_copy(header, header_size);
    state_->queued.append_copy(payload.data(), payload.size());
    state_->start();
  }

  // Queues [first, last) (QueuedFrames) as binary messages; `done` runs once they are all
  // written or writing failed. At most one call should be outstanding per user (the
  // connection counts what is in flight); frames queued meanwhile share the next write.
  template <class It>
  void write_frames(It first, It last, Done done) {
    if (state_->error) {
      boost::asio::post(get_executor(), [done = std::move(done), ec = state_->error] { done(ec); });
      return;
    }
    Batch& batch = state_->queued;
    for (; first != last; ++first) {
      const Frame& frame = first->frame;
      unsigned char header[ws::kMaxServerFrameHeader];
      const size_t header_size = ws::write_binary_frame_header(frame->size(), header);
      batch.append_copy(header, header_size);
      if (frame->size() <= kCopyLimit) {
        batch.append_copy(frame->data(), frame->size());
      } else {
        batch.pieces.push_back(Piece{frame, 0, frame->size()});
      }
    }
    batch.done.push_back(std::move(done));
    state_->start();
  }

  // Control frames (pongs) queued or being written: what a client that does not read owes
  // the relay's memory.
  size_t unsent_controls() const { return state_->queued_controls + state_->in_flight_controls; }

  // Runs `fn` (inline or later) once nothing is queued or being written. Not run if the
  // stream is destroyed first.
  void when_flushed(std::function<void()> fn) {
    if (state_->idle()) {
      fn();
    } else {
      state_->flushed.push_back(std::move(fn));
    }
  }

 private:
  // A frame (not null: written from it) or bytes [offset, offset + size) of Batch::bytes.
  struct Piece {
    Frame frame;
    size_t offset = 0;
    size_t size = 0;
  };

  struct Batch {
    std::string bytes;
    std::vector<Piece> pieces;
    std::vector<Done> done;

    bool empty() const { return pieces.empty() && done.empty(); }
    void append_copy(const void* data, size_t size) {
      if (size == 0) return;
      if (pieces.empty() || pieces.back().frame || pieces.back().offset + pieces.back().size != bytes.size()) {
        pieces.push_back(Piece{nullptr, bytes.size(), 0});
      }
      bytes.append(static_cast<const char*>(data), size);
      pieces.back().size += size;
    }
    void clear() {
      // A burst's buffer is kept for the next one, unless large: idle sessions must stay
      // small (issue 3: <= 16 KiB per idle connection).
      constexpr size_t kKeep = 64 * 1024;
      if (bytes.capacity() > kKeep) {
        std::string().swap(bytes);
      } else {
        bytes.clear();
      }
      pieces.clear();
      done.clear();
    }
  };

  // Shared with the write in flight, which may complete after the stream is gone.
  struct State : std::enable_shared_from_this<State> {
    FrameWriter* stream = nullptr;
    Batch queued;     // waiting for the next write
    Batch in_flight;  // being written
    std::vector<boost::asio::const_buffer> buffers;
    bool writing = false;
    size_t queued_controls = 0;
    size_t in_flight_controls = 0;
    boost::beast::error_code error;
    std::vector<std::function<void()>> flushed;

    bool idle() const { return !writing && queued.empty(); }

    void start() {
      if (writing || stream == nullptr || queued.empty()) return;
      std::swap(queued, in_flight);
      in_flight_controls = std::exchange(queued_controls, 0);
      buffers.clear();
      for (const Piece& piece : in_flight.pieces) {
        buffers.emplace_back(piece.frame
                                 ? boost::asio::const_buffer(piece.frame->data(), piece.frame->size())
                                 : boost::asio::const_buffer(in_flight.bytes.data() + piece.offset, piece.size));
      }
      writing = true;
      boost::asio::async_write(
          stream->next_, buffers,
          [self = this->shared_from_this()](boost::beast::error_code ec, size_t) { self->on_written(ec); });
    }

    void on_written(boost::beast::error_code ec) {
      writing = false;
      in_flight_controls = 0;
      if (ec && !error) error = ec;
      std::vector<Done> done = std::move(in_flight.done);
      in_flight.clear();
      for (auto& fn : done) fn(ec);
      if (error && !queued.empty()) {
        // Nothing more reaches the socket: fail what is queued now.
        std::vector<Done> failed = std::move(queued.done);
        queued.clear();
        for (auto& fn : failed) fn(error);
      }
      start();
      if (idle() && stream != nullptr) {
        std::vector<std::function<void()>> waiters = std::move(flushed);
        flushed.clear();
        for (auto& fn : waiters) fn();
      }
    }
  };

  Next next_;
  std::shared_ptr<State> state_;
};

}  // namespace rmb::relay
