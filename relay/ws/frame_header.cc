#include "relay/ws/frame_header.h"

#include <cstring>

namespace rmb::relay::ws {

size_t write_frame_header(Opcode opcode, uint64_t payload_size, unsigned char (&out)[kMaxServerFrameHeader]) {
  out[0] = static_cast<unsigned char>(0x80 | static_cast<uint8_t>(opcode));
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

HeaderParse parse_frame_header(const unsigned char* data, size_t size, FrameHeader& out) {
  if (size < 2) return HeaderParse::kNeedMore;
  out.fin = (data[0] & 0x80) != 0;
  out.rsv = static_cast<uint8_t>((data[0] >> 4) & 0x7);
  out.opcode = static_cast<uint8_t>(data[0] & 0x0F);
  out.masked = (data[1] & 0x80) != 0;
  const unsigned length7 = data[1] & 0x7F;
  size_t at = 2;
  if (length7 < 126) {
    out.payload_size = length7;
  } else if (length7 == 126) {
    if (size < at + 2) return HeaderParse::kNeedMore;
    out.payload_size = (uint64_t{data[2]} << 8) | data[3];
    at += 2;
    if (out.payload_size < 126) return HeaderParse::kBadLength;
  } else {
    if (size < at + 8) return HeaderParse::kNeedMore;
    out.payload_size = 0;
    for (int i = 0; i < 8; ++i) out.payload_size = (out.payload_size << 8) | data[2 + i];
    at += 8;
    if (out.payload_size <= 0xFFFF || (out.payload_size >> 63) != 0) return HeaderParse::kBadLength;
  }
  if (out.masked) {
    if (size < at + 4) return HeaderParse::kNeedMore;
    std::memcpy(out.mask, data + at, 4);
    at += 4;
  }
  out.header_size = at;
  return HeaderParse::kComplete;
}

void unmask(unsigned char* data, size_t size, const unsigned char (&mask)[4], size_t offset) {
  // The key rotated to `offset`, then applied eight bytes at a time: the relay unmasks
  // every byte it routes.
  unsigned char key[8];
  for (size_t i = 0; i < 8; ++i) key[i] = mask[(offset + i) % 4];
  uint64_t key64;
  std::memcpy(&key64, key, 8);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    word ^= key64;
    std::memcpy(data + i, &word, 8);
  }
  for (; i < size; ++i) data[i] ^= key[i % 8];
}

}  // namespace rmb::relay::ws
