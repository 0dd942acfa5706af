#pragma once
// Turns the bytes a client sends on an upgraded connection into WebSocket messages
// (RFC 6455 §5), many per socket read.
//
// Why not Beast's websocket::stream::async_read: it reads at most 4 KiB per system call and
// runs one composed operation (several handler allocations and executor hops) per
// message; at relay rates that machinery cost more than routing. Here one read fills a
// buffer of up to 64 KiB, every complete frame in it is unmasked in place and handed to
// the sink as a view, and only a partial frame at the end is kept for the next read.
//
// The buffer adapts: it starts small (idle sessions must stay small, issue 3), doubles
// while reads fill it, and shrinks back after a run of small reads. A frame larger than
// the buffer grows it as its bytes arrive, up to the message limit.
//
// No sockets here: the connection reads into read_data() and calls commit(); tests and the
// fuzzer feed bytes directly. The bench's WebSocket clients use it too (unmasked frames),
// so that the client is not what limits a throughput measurement.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "relay/ws/frame_header.h"

namespace rmb::relay::ws {

enum class MessageKind { kBinary, kText, kPing, kPong, kClose };

class ReaderSink {
 public:
  virtual ~ReaderSink() = default;
  // One complete message (data messages reassembled from their fragments) or control
  // frame. `payload` is valid during the call only. Return false to stop: nothing more is
  // delivered from this read, and commit() returns false.
  virtual bool on_message(MessageKind kind, std::string_view payload) = 0;
  // The client broke the protocol or a limit; `close_code` and `reason` are what to send
  // in the close frame. The reader delivers nothing after this.
  virtual void on_error(uint16_t close_code, std::string_view reason) = 0;
};

// A close frame's payload (§5.5.1): code (kCloseNoStatus when absent) and reason. Returns
// false for a payload of 1 byte or a code the RFC does not allow on the wire.
bool parse_close_payload(std::string_view payload, uint16_t& code, std::string_view& reason);

class FrameReader {
 public:
  struct Limits {
    size_t max_message = 1 << 20;  // payload of one data message, all fragments together
    size_t min_buffer = 2048;
    size_t max_buffer = 64 * 1024;  // per read; a single larger frame still fits
    // Frames from a client are masked, frames from a server are not (§5.1); either side
    // fails a frame of the other kind. Clients (benchmarks, tests) set false.
    bool masked = true;
  };

  explicit FrameReader(Limits limits);

  // Where the next read goes: a non-empty span of free buffer space.
  unsigned char* read_data();
  size_t read_size();

  // `n` bytes were read into read_data(): deliver every complete frame. Returns false
  // once the sink stopped or an error was reported; call nothing afterwards but
  // buffered().
  bool commit(size_t n, ReaderSink& sink);
  // Same for bytes that did not come through read_data() (read before the upgrade).
  bool feed(std::string_view bytes, ReaderSink& sink);

  size_t capacity() const { return capacity_; }
  size_t buffered() const { return end_ - begin_; }

 private:
  bool parse(ReaderSink& sink);
  // Makes room toward `needed` contiguous bytes from begin_ (moving or growing the buffer;
  // a frame larger than max_buffer gets there over several reads).
  void reserve_frame(size_t needed);
  void resize(size_t capacity);
  bool fail(ReaderSink& sink, uint16_t code, std::string_view reason);

  Limits limits_;
  std::unique_ptr<unsigned char[]> buffer_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first unparsed byte
  size_t end_ = 0;    // one past the last read byte
  unsigned small_reads_ = 0;

  // A fragmented data message in progress (§5.4).
  bool fragmented_ = false;
  MessageKind fragmented_kind_ = MessageKind::kBinary;
  std::string fragments_;
  bool done_ = false;
};

}  // namespace rmb::relay::ws
