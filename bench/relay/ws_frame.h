#pragma once
// Client-to-server WebSocket binary frames (RFC 6455 §5.2), built by hand so that a
// throughput sender can put many frames into one write: Beast writes one message per
// operation. Beast still does the handshake and all reading.
#include <cstdint>
#include <string>
#include <string_view>

namespace rmb::bench {

// Masking keys for client frames. RFC 6455 asks for unpredictable keys; they protect
// intermediaries from attacker-chosen payloads, which a loopback bench sending its own
// bytes does not have, so a fast xorshift seeded from libsodium is enough here.
class MaskSource {
 public:
  MaskSource();
  uint32_t next();

 private:
  uint64_t state_;
};

// Appends one final binary frame carrying `payload`, masked with `mask`.
void append_masked_binary_frame(std::string& out, std::string_view payload, uint32_t mask);

}  // namespace rmb::bench
