#pragma once
// What the frame reader tests share (relay/ws/frame_reader.h): a sink that records what the
// reader delivers, client frames built byte by byte (RFC 6455 §5.2), including the encodings
// a client must not send, and a socket-like feed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "relay/ws/frame_reader.h"

namespace rmb::relay::frame_reader_test {

using ws::FrameReader;
using ws::MessageKind;

struct Message {
  MessageKind kind;
  std::string payload;
  bool operator==(const Message&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Message& m) {
  return os << "{kind " << static_cast<int>(m.kind) << ", " << m.payload.size() << " bytes}";
}

// Records what the reader delivers and fails the test on any delivery after an error or
// after the sink asked to stop.
class RecordingSink : public ws::ReaderSink {
 public:
  // on_message returns false for the message with this 1-based number.
  size_t stop_at = std::numeric_limits<size_t>::max();

  bool on_message(MessageKind kind, std::string_view payload) override {
    EXPECT_FALSE(errored()) << "message delivered after on_error";
    EXPECT_FALSE(stopped_) << "message delivered after the sink returned false";
    messages.push_back({kind, std::string(payload)});
    if (messages.size() == stop_at) stopped_ = true;
    return !stopped_;
  }
  void on_error(uint16_t close_code, std::string_view reason) override {
    EXPECT_FALSE(errored()) << "second on_error";
    EXPECT_FALSE(stopped_) << "on_error after the sink returned false";
    EXPECT_FALSE(reason.empty());
    error_code = close_code;
    error_reason = std::string(reason);
  }

  bool errored() const { return error_code != 0; }

  std::vector<Message> messages;
  uint16_t error_code = 0;
  std::string error_reason;

 private:
  bool stopped_ = false;
};

// How to build one client frame; the defaults make a conforming final binary frame.
struct FrameSpec {
  uint8_t opcode = 0x2;
  bool fin = true;
  uint8_t rsv = 0;  // bits 2..0 = RSV1..RSV3
  bool masked = true;
  unsigned length_bits = 0;  // 0: shortest form; 7, 16 or 64: that form whatever the size
  uint64_t declared_size = std::numeric_limits<uint64_t>::max();  // max: the payload's size
  std::array<unsigned char, 4> mask = {0x3C, 0xA5, 0x0F, 0x96};
};

inline std::string frame(std::string_view payload, const FrameSpec& spec = {}) {
  const uint64_t size =
      spec.declared_size == std::numeric_limits<uint64_t>::max() ? payload.size() : spec.declared_size;
  std::string out;
  out.push_back(static_cast<char>((spec.fin ? 0x80 : 0) | (spec.rsv << 4) | spec.opcode));
  unsigned bits = spec.length_bits;
  if (bits == 0) bits = size < 126 ? 7 : size <= 0xFFFF ? 16 : 64;
  const char mask_bit = spec.masked ? static_cast<char>(0x80) : 0;
  if (bits == 7) {
    out.push_back(static_cast<char>(mask_bit | static_cast<char>(size)));
  } else if (bits == 16) {
    out.push_back(static_cast<char>(mask_bit | 126));
    for (int i = 1; i >= 0; --i) out.push_back(static_cast<char>(size >> (8 * i)));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(size >> (8 * i)));
  }
  if (!spec.masked) return out.append(payload);
  out.append(reinterpret_cast<const char*>(spec.mask.data()), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(payload[i] ^ static_cast<char>(spec.mask[i % 4])));
  }
  return out;
}

inline std::string frame(uint8_t opcode, std::string_view payload, bool fin = true) {
  FrameSpec spec;
  spec.opcode = opcode;
  spec.fin = fin;
  return frame(payload, spec);
}

inline constexpr uint8_t kCont = 0x0, kText = 0x1, kBin = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;

// A payload whose bytes depend on position and seed, so misplaced bytes show.
inline std::string pattern(size_t size, unsigned seed = 1) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + seed * 17 + (i >> 8)) & 0xFF);
  return s;
}

// Socket-like: each "read" copies at most read_size() bytes (and at most `chunk`) into
// read_data() and commits them. Returns commit()'s last result.
inline bool push(FrameReader& reader, std::string_view bytes, ws::ReaderSink& sink,
                 size_t chunk = std::numeric_limits<size_t>::max()) {
  while (!bytes.empty()) {
    unsigned char* const into = reader.read_data();
    const size_t n = std::min({chunk, bytes.size(), reader.read_size()});
    EXPECT_GT(n, 0u);
    std::memcpy(into, bytes.data(), n);
    bytes.remove_prefix(n);
    if (!reader.commit(n, sink)) return false;
  }
  return true;
}

inline FrameReader::Limits limits(size_t max_message = 1 << 20, size_t min_buffer = 2048,
                                  size_t max_buffer = 64 * 1024) {
  FrameReader::Limits l;
  l.max_message = max_message;
  l.min_buffer = min_buffer;
  l.max_buffer = max_buffer;
  return l;
}

inline FrameReader::Limits client_limits() {
  FrameReader::Limits l = limits();
  l.masked = false;
  return l;
}

inline FrameSpec server_frame() {
  FrameSpec spec;
  spec.masked = false;
  return spec;
}

}  // namespace rmb::relay::frame_reader_test
