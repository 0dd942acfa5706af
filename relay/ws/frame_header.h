#pragma once
// WebSocket frame headers (RFC 6455 §5.2), both ways: the relay builds the headers of the
// frames it sends (unmasked, several frames per socket write: frame_writer.h) and parses
// the headers of the masked frames clients send (frame_reader.h). Beast does both
// internally but one message per operation; the relay needs batches.
#include <cstddef>
#include <cstdint>

namespace rmb::relay::ws {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes the relay sends (RFC 6455 §7.4.1).
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;
inline constexpr uint16_t kCloseProtocolError = 1002;
inline constexpr uint16_t kCloseUnknownData = 1003;
inline constexpr uint16_t kCloseNoStatus = 1005;  // never sent: "the close frame had no code"
inline constexpr uint16_t kCloseBadPayload = 1007;
inline constexpr uint16_t kClosePolicyError = 1008;
inline constexpr uint16_t kCloseTooBig = 1009;
inline constexpr uint16_t kCloseTryAgainLater = 1013;

// 2 bytes, +2 for payloads of 126..65535 bytes, +8 beyond; +4 for a mask.
inline constexpr size_t kMaxServerFrameHeader = 10;
inline constexpr size_t kMaxClientFrameHeader = 14;
// Control frames (close, ping, pong) carry at most this much (§5.5).
inline constexpr size_t kMaxControlPayload = 125;

// Writes the header of a final (FIN) frame of `payload_size` bytes, RSV bits 0
// (uncompressed even when permessage-deflate is negotiated, RFC 7692 §6), no mask (a
// server never masks, §5.1). Returns the header length.
size_t write_frame_header(Opcode opcode, uint64_t payload_size, unsigned char (&out)[kMaxServerFrameHeader]);

inline size_t write_binary_frame_header(uint64_t payload_size, unsigned char (&out)[kMaxServerFrameHeader]) {
  return write_frame_header(Opcode::kBinary, payload_size, out);
}

struct FrameHeader {
  bool fin = false;
  uint8_t rsv = 0;     // the three RSV bits, as bits 2..0
  uint8_t opcode = 0;  // raw: may be a reserved value
  bool masked = false;
  unsigned char mask[4] = {0, 0, 0, 0};
  uint64_t payload_size = 0;
  size_t header_size = 0;
};

enum class HeaderParse {
  kComplete,   // `out` is filled
  kNeedMore,   // fewer bytes than the header needs
  kBadLength,  // a length not in its shortest form, or with the top bit set (§5.2)
};

// Parses the header at the start of `data[0, size)`. Checks only the length encoding;
// what the opcode, RSV bits and mask mean is the reader's business.
HeaderParse parse_frame_header(const unsigned char* data, size_t size, FrameHeader& out);

// XORs `data[0, size)` with `mask` in place (§5.3), `offset` bytes into the payload.
void unmask(unsigned char* data, size_t size, const unsigned char (&mask)[4], size_t offset = 0);

}  // namespace rmb::relay::ws
