#pragma once
// The header of an unmasked, unfragmented WebSocket data frame (RFC 6455 §5.2), as a
// server writes it. The relay builds these itself to send several frames in one socket
// write (coalescing_stream.h); Beast writes one message per async_write.
#include <cstddef>
#include <cstdint>

namespace rmb::relay {

// 2 bytes, +2 for payloads of 126..65535 bytes, +8 beyond.
inline constexpr size_t kMaxWsFrameHeader = 10;

// Writes the header of a final (FIN) binary frame of `payload_size` bytes, RSV bits 0
// (uncompressed even when permessage-deflate is negotiated, RFC 7692 §6), no mask (a
// server never masks, RFC 6455 §5.1). Returns the header length.
size_t write_binary_frame_header(uint64_t payload_size, unsigned char (&out)[kMaxWsFrameHeader]);

}  // namespace rmb::relay
