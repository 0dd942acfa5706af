#include "bench/relay/ws_frame.h"

#include <sodium.h>

namespace rmb::bench {

MaskSource::MaskSource() {
  randombytes_buf(&state_, sizeof(state_));
  if (state_ == 0) state_ = 0x9e3779b97f4a7c15ULL;
}

uint32_t MaskSource::next() {
  state_ ^= state_ << 13;
  state_ ^= state_ >> 7;
  state_ ^= state_ << 17;
  return static_cast<uint32_t>(state_ >> 16);
}

void append_masked_binary_frame(std::string& out, std::string_view payload, uint32_t mask) {
  const uint64_t len = payload.size();
  out.push_back(static_cast<char>(0x82));  // FIN + opcode 2 (binary)
  if (len < 126) {
    out.push_back(static_cast<char>(0x80 | len));
  } else if (len <= 0xffff) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(len & 0xff));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((len >> shift) & 0xff));
  }
  const uint8_t key[4] = {static_cast<uint8_t>(mask >> 24), static_cast<uint8_t>(mask >> 16),
                          static_cast<uint8_t>(mask >> 8), static_cast<uint8_t>(mask)};
  out.append(reinterpret_cast<const char*>(key), 4);
  const size_t start = out.size();
  out.append(payload);
  for (size_t i = 0; i < len; ++i) out[start + i] = static_cast<char>(out[start + i] ^ key[i & 3]);
}

}  // namespace rmb::bench
