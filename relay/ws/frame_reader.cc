#include "relay/ws/frame_reader.h"

#include <algorithm>
#include <cstring>

namespace rmb::relay::ws {

namespace {

// A run of this many reads that used under 1/8 of the buffer shrinks it back.
constexpr unsigned kSmallReadsBeforeShrink = 32;

bool is_control(uint8_t opcode) { return (opcode & 0x8) != 0; }

}  // namespace

bool parse_close_payload(std::string_view payload, uint16_t& code, std::string_view& reason) {
  reason = {};
  if (payload.empty()) {
    code = kCloseNoStatus;
    return true;
  }
  if (payload.size() == 1) return false;
  code = static_cast<uint16_t>((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]));
  // §7.4: 1005, 1006 and 1015 are never sent; below 1000 and 1016..2999 are unassigned.
  const bool allowed =
      (code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006) || (code >= 3000 && code <= 4999);
  if (!allowed) return false;
  reason = payload.substr(2);
  return true;
}

FrameReader::FrameReader(Limits limits) : limits_(limits) {
  limits_.min_buffer = std::max<size_t>(limits_.min_buffer, 2 * kMaxClientFrameHeader);
  limits_.max_buffer = std::max(limits_.max_buffer, limits_.min_buffer);
}

unsigned char* FrameReader::read_data() {
  read_size();
  return buffer_.get() + end_;
}

size_t FrameReader::read_size() {
  if (!buffer_) resize(limits_.min_buffer);
  if (end_ == capacity_) {
    // Only a frame that does not fit yet leaves the buffer full; reserve_frame() sized it,
    // so this is a safety net.
    resize(capacity_ * 2);
  }
  return capacity_ - end_;
}

bool FrameReader::feed(std::string_view bytes, ReaderSink& sink) {
  while (!bytes.empty()) {
    const size_t n = std::min(bytes.size(), read_size());
    std::memcpy(read_data(), bytes.data(), n);
    bytes.remove_prefix(n);
    if (!commit(n, sink)) return false;
  }
  return true;
}

bool FrameReader::commit(size_t n, ReaderSink& sink) {
  if (done_) return false;
  const bool filled = end_ + n == capacity_;
  end_ += n;
  if (!parse(sink)) {
    done_ = true;
    return false;
  }
  if (begin_ == end_) begin_ = end_ = 0;
  if (filled && capacity_ < limits_.max_buffer) {
    small_reads_ = 0;
    resize(std::min(capacity_ * 2, limits_.max_buffer));
  } else if (buffered() == 0 && capacity_ > limits_.min_buffer && n < capacity_ / 8) {
    if (++small_reads_ >= kSmallReadsBeforeShrink || capacity_ > limits_.max_buffer) {
      small_reads_ = 0;
      resize(limits_.min_buffer);
    }
  } else {
    small_reads_ = 0;
  }
  // Keep room for a large read behind a partial frame.
  if (begin_ > 0 && capacity_ - end_ < capacity_ / 4) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, buffered());
    end_ -= begin_;
    begin_ = 0;
  }
  return true;
}

bool FrameReader::parse(ReaderSink& sink) {
  while (begin_ < end_) {
    unsigned char* const at = buffer_.get() + begin_;
    const size_t available = end_ - begin_;
    FrameHeader header;
    switch (parse_frame_header(at, available, header)) {
      case HeaderParse::kNeedMore:
        reserve_frame(kMaxClientFrameHeader);
        return true;
      case HeaderParse::kBadLength:
        return fail(sink, kCloseProtocolError, "frame length not in its shortest form");
      case HeaderParse::kComplete:
        break;
    }
    // No extension is ever negotiated, so RSV bits must be clear (§5.2); clients mask
    // every frame (§5.1).
    if (header.rsv != 0) return fail(sink, kCloseProtocolError, "reserved bits set");
    if (header.masked != limits_.masked) {
      return fail(sink, kCloseProtocolError, limits_.masked ? "client frame not masked" : "server frame masked");
    }
    MessageKind kind;
    const uint8_t op = header.opcode;
    if (is_control(op)) {
      if (op == static_cast<uint8_t>(Opcode::kClose)) {
        kind = MessageKind::kClose;
      } else if (op == static_cast<uint8_t>(Opcode::kPing)) {
        kind = MessageKind::kPing;
      } else if (op == static_cast<uint8_t>(Opcode::kPong)) {
        kind = MessageKind::kPong;
      } else {
        return fail(sink, kCloseProtocolError, "reserved opcode");
      }
      if (!header.fin) return fail(sink, kCloseProtocolError, "fragmented control frame");
      if (header.payload_size > kMaxControlPayload) return fail(sink, kCloseProtocolError, "control frame too big");
    } else if (op == static_cast<uint8_t>(Opcode::kContinuation)) {
      if (!fragmented_) return fail(sink, kCloseProtocolError, "continuation frame without a message");
      kind = fragmented_kind_;
    } else if (op == static_cast<uint8_t>(Opcode::kBinary) || op == static_cast<uint8_t>(Opcode::kText)) {
      if (fragmented_) return fail(sink, kCloseProtocolError, "new message inside a fragmented one");
      kind = op == static_cast<uint8_t>(Opcode::kBinary) ? MessageKind::kBinary : MessageKind::kText;
    } else {
      return fail(sink, kCloseProtocolError, "reserved opcode");
    }
    if (!is_control(op)) {
      // Checked on the header, before any of the payload is buffered.
      const uint64_t so_far = fragmented_ ? fragments_.size() : 0;
      if (header.payload_size > limits_.max_message - so_far) return fail(sink, kCloseTooBig, "message too big");
    }
    const size_t total = header.header_size + static_cast<size_t>(header.payload_size);
    if (available < total) {
      reserve_frame(total);
      return true;
    }
    unsigned char* payload = at + header.header_size;
    const size_t size = static_cast<size_t>(header.payload_size);
    if (header.masked) unmask(payload, size, header.mask);
    begin_ += total;
    const std::string_view view(reinterpret_cast<const char*>(payload), size);
    if (is_control(op) || (header.fin && !fragmented_)) {
      if (!sink.on_message(kind, view)) return false;
      continue;
    }
    if (!fragmented_) {
      fragmented_ = true;
      fragmented_kind_ = kind;
      fragments_.assign(view);
    } else {
      fragments_.append(view);
    }
    if (header.fin) {
      fragmented_ = false;
      std::string message;
      message.swap(fragments_);
      if (!sink.on_message(kind, message)) return false;
    }
  }
  return true;
}

void FrameReader::reserve_frame(size_t needed) {
  if (needed > capacity_) {
    // Grown step by step as the frame arrives, not to its announced size at once: a
    // header alone (14 bytes) must not reserve a megabyte.
    resize(std::min(needed, std::max(capacity_ * 2, limits_.max_buffer)));
  } else if (begin_ + needed > capacity_) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, buffered());
    end_ -= begin_;
    begin_ = 0;
  }
}

void FrameReader::resize(size_t capacity) {
  capacity = std::max(capacity, buffered());
  auto fresh = std::make_unique_for_overwrite<unsigned char[]>(capacity);
  if (buffered() > 0) std::memcpy(fresh.get(), buffer_.get() + begin_, buffered());
  end_ -= begin_;
  begin_ = 0;
  buffer_ = std::move(fresh);
  capacity_ = capacity;
}

bool FrameReader::fail(ReaderSink& sink, uint16_t code, std::string_view reason) {
  sink.on_error(code, reason);
  return false;
}

}  // namespace rmb::relay::ws
