#include "relay/ws_frame_header.h"

namespace rmb::relay {

size_t write_binary_frame_header(uint64_t payload_size, unsigned char (&out)[kMaxWsFrameHeader]) {
  constexpr unsigned char kFinBinary = 0x80 | 0x2;
  out[0] = kFinBinary;
  if (payload_size < 126) {
    out[1] = static_cast<unsigned char>(payload_size);
    return 2;
  }
  // Extended lengths are network byte order and use the shortest form (§5.2: "the
  // minimal number of bytes MUST be used").
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(payload_size >> 8);
    out[3] = static_cast<unsigned char>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(payload_size >> (8 * (7 - i)));
  return 10;
}

}  // namespace rmb::relay
