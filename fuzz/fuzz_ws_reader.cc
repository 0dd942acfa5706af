// Client bytes after the WebSocket upgrade, through ws::FrameReader. Nothing may crash, and:
//  - every payload respects the limits (data <= max_message, control <= 125) and the
//    buffer never grows past what the limits allow;
//  - nothing is delivered after on_error or after the sink returned false, and commit()
//    says so;
//  - the same bytes read in one piece, in chunks of any size, or fed in two parts give the
//    same messages and the same error, and those agree with a plain whole-stream decoder
//    written here from RFC 6455 §5 (the reader is an incremental, in-place version of it).
//
// Input: byte 0 picks the limits and the role (server reading masked client frames, or
// client reading unmasked server frames), byte 1 the chunk size, byte 2 where the sink stops,
// byte 3 where the stream is split; the rest is the stream.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/harness.h"
#include "relay/ws/frame_reader.h"

namespace {

using rmb::fuzz::require;
using rmb::relay::ws::FrameReader;
using rmb::relay::ws::MessageKind;
namespace ws = rmb::relay::ws;

struct Message {
  MessageKind kind;
  std::string payload;
  bool operator==(const Message&) const = default;
};

struct Outcome {
  std::vector<Message> messages;
  uint16_t error = 0;  // 0: none
  bool operator==(const Outcome&) const = default;
};

bool is_control(MessageKind k) {
  return k == MessageKind::kPing || k == MessageKind::kPong || k == MessageKind::kClose;
}

class CheckingSink : public ws::ReaderSink {
 public:
  CheckingSink(size_t max_message, size_t stop_at) : max_message_(max_message), stop_at_(stop_at) {}

  bool on_message(MessageKind kind, std::string_view payload) override {
    require(out.error == 0 && !stopped);
    require(payload.size() <= (is_control(kind) ? ws::kMaxControlPayload : max_message_));
    if (kind == MessageKind::kClose) {
      uint16_t code;
      std::string_view reason;
      if (ws::parse_close_payload(payload, code, reason)) {
        require(code == ws::kCloseNoStatus ? payload.empty() : payload.size() >= 2);
        require(reason.size() == (payload.empty() ? 0 : payload.size() - 2));
      } else {
        require(!payload.empty());
      }
    }
    out.messages.push_back({kind, std::string(payload)});
    if (out.messages.size() == stop_at_) stopped = true;
    return !stopped;
  }
  void on_error(uint16_t close_code, std::string_view reason) override {
    require(out.error == 0 && !stopped);
    require(close_code == ws::kCloseProtocolError || close_code == ws::kCloseTooBig);
    require(!reason.empty());
    out.error = close_code;
  }

  Outcome out;
  bool stopped = false;

 private:
  size_t max_message_;
  size_t stop_at_;
};

// The reader's own limit adjustments (frame_reader.cc), for the capacity bound.
size_t capacity_bound(const FrameReader::Limits& l) {
  const size_t min_buffer = std::max<size_t>(l.min_buffer, 2 * ws::kMaxClientFrameHeader);
  const size_t max_buffer = std::max(l.max_buffer, min_buffer);
  return std::max(
      {max_buffer, l.max_message + ws::kMaxClientFrameHeader, ws::kMaxControlPayload + ws::kMaxClientFrameHeader});
}

// Socket-like reads of at most `chunk` bytes; checks commit()'s result against the sink.
void read_in_chunks(FrameReader& reader, std::string_view bytes, CheckingSink& sink, size_t chunk,
                    const FrameReader::Limits& limits) {
  while (!bytes.empty()) {
    unsigned char* const into = reader.read_data();
    const size_t room = reader.read_size();
    require(room > 0);
    const size_t n = std::min({chunk, bytes.size(), room});
    std::memcpy(into, bytes.data(), n);
    bytes.remove_prefix(n);
    const bool ok = reader.commit(n, sink);
    require(ok == (sink.out.error == 0 && !sink.stopped));
    if (!ok) {
      // Stays closed, delivers nothing (the sink aborts if it would).
      unsigned char* const again = reader.read_data();
      const size_t again_room = reader.read_size();
      if (again_room > 0 && !bytes.empty()) {
        const size_t m = std::min(bytes.size(), again_room);
        std::memcpy(again, bytes.data(), m);
        require(!reader.commit(m, sink));
      }
      return;
    }
    require(reader.capacity() <= capacity_bound(limits));
    require(reader.buffered() < reader.capacity());
  }
}

// RFC 6455 §5 decoded the obvious way over the whole stream, with the checks in the
// reader's order so the first violation gives the same close code: length encoding,
// RSV, mask (present exactly when `masked`), opcode, control rules, then the message limit. A frame cut off by the end
// of the stream is simply not there yet.
Outcome reference_decode(std::string_view s, size_t max_message, bool expect_masked) {
  Outcome out;
  bool fragmented = false;
  MessageKind fragmented_kind = MessageKind::kBinary;
  std::string fragments;
  size_t at = 0;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  while (at < s.size()) {
    if (s.size() - at < 2) return out;
    const unsigned char b0 = byte(at), b1 = byte(at + 1);
    const bool fin = b0 & 0x80, masked = b1 & 0x80;
    const unsigned rsv = (b0 >> 4) & 7, op = b0 & 0xF, len7 = b1 & 0x7F;
    size_t pos = at + 2;
    uint64_t size = len7;
    const size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    if (s.size() - pos < ext) return out;
    if (ext > 0) {
      size = 0;
      for (size_t i = 0; i < ext; ++i) size = (size << 8) | byte(pos + i);
      pos += ext;
      const bool minimal = ext == 2 ? size >= 126 : size > 0xFFFF;
      if (!minimal || (size >> 63) != 0) {
        out.error = ws::kCloseProtocolError;
        return out;
      }
    }
    unsigned char key[4] = {0, 0, 0, 0};
    if (masked) {
      if (s.size() - pos < 4) return out;
      for (size_t i = 0; i < 4; ++i) key[i] = byte(pos + i);
      pos += 4;
    }
    if (rsv != 0 || masked != expect_masked) {
      out.error = ws::kCloseProtocolError;
      return out;
    }
    MessageKind kind;
    if (op >= 8) {
      if (op == 0x8)
        kind = MessageKind::kClose;
      else if (op == 0x9)
        kind = MessageKind::kPing;
      else if (op == 0xA)
        kind = MessageKind::kPong;
      else {
        out.error = ws::kCloseProtocolError;
        return out;
      }
      if (!fin || size > 125) {
        out.error = ws::kCloseProtocolError;
        return out;
      }
    } else if (op == 0x0) {
      if (!fragmented) {
        out.error = ws::kCloseProtocolError;
        return out;
      }
      kind = fragmented_kind;
    } else if (op == 0x1 || op == 0x2) {
      if (fragmented) {
        out.error = ws::kCloseProtocolError;
        return out;
      }
      kind = op == 0x1 ? MessageKind::kText : MessageKind::kBinary;
    } else {
      out.error = ws::kCloseProtocolError;
      return out;
    }
    if (op < 8 && (fragmented ? fragments.size() : 0) + size > max_message) {
      out.error = ws::kCloseTooBig;
      return out;
    }
    if (s.size() - pos < size) return out;
    std::string payload(s.substr(pos, size));
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
    at = pos + size;
    if (op >= 8) {
      out.messages.push_back({kind, std::move(payload)});
    } else if (!fragmented && fin) {
      out.messages.push_back({kind, std::move(payload)});
    } else {
      if (!fragmented) {
        fragmented = true;
        fragmented_kind = kind;
        fragments.clear();
      }
      fragments += payload;
      if (fin) {
        fragmented = false;
        out.messages.push_back({kind, std::move(fragments)});
        fragments.clear();
      }
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  static constexpr size_t kMaxMessage[] = {0, 125, 1000, 70000};
  static constexpr size_t kMinBuffer[] = {1, 64, 2048, 4096};
  static constexpr size_t kMaxBuffer[] = {0, 128, 4096, 65536};
  FrameReader::Limits limits;
  limits.max_message = kMaxMessage[data[0] & 3];
  limits.min_buffer = kMinBuffer[(data[0] >> 2) & 3];
  limits.max_buffer = kMaxBuffer[(data[0] >> 4) & 3];
  limits.masked = (data[0] & 0x40) == 0;
  const size_t chunk = size_t{data[1]} + 1;
  const size_t stop_at = data[2];  // 0: the sink never stops
  const std::string_view stream(reinterpret_cast<const char*>(data + 4), size - 4);
  const size_t split = stream.empty() ? 0 : (size_t{data[3]} * 257) % (stream.size() + 1);

  const Outcome expected = reference_decode(stream, limits.max_message, limits.masked);

  // Whole: every read as large as the reader allows.
  FrameReader whole_reader(limits);
  CheckingSink whole(limits.max_message, 0);
  read_in_chunks(whole_reader, stream, whole, stream.size() + 1, limits);
  require(whole.out == expected);

  // Chunked: small reads, a frame split anywhere.
  FrameReader chunked_reader(limits);
  CheckingSink chunked(limits.max_message, 0);
  read_in_chunks(chunked_reader, stream, chunked, chunk, limits);
  require(chunked.out == expected);

  // Two feed()s (bytes that came with the upgrade, then the rest), and a sink that may stop.
  FrameReader fed_reader(limits);
  CheckingSink fed(limits.max_message, stop_at);
  const bool first = fed_reader.feed(stream.substr(0, split), fed);
  require(first == (fed.out.error == 0 && !fed.stopped));
  if (first) {
    const bool second = fed_reader.feed(stream.substr(split), fed);
    require(second == (fed.out.error == 0 && !fed.stopped));
  }
  if (stop_at == 0 || stop_at > expected.messages.size()) {
    require(fed.out == expected);
  } else {
    // Stopped at message `stop_at`: exactly the messages before it and that one.
    require(fed.stopped && fed.out.error == 0);
    require(fed.out.messages.size() == stop_at);
    require(std::equal(fed.out.messages.begin(), fed.out.messages.end(), expected.messages.begin()));
  }
  return 0;
}
