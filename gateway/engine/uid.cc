#include "gateway/engine/uid.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace rmb::gateway {
namespace {

// Random bytes from the OS, fetched 1 KiB at a time per thread: libsodium 1.0.18 makes one
// getrandom system call per randombytes_buf, and a uid is only 16 bytes.
class RandomPool {
 public:
  void take(uint8_t* out, size_t n) {
    if (used_ + n > bytes_.size()) {
      randombytes_buf(bytes_.data(), bytes_.size());
      used_ = 0;
    }
    for (size_t i = 0; i < n; ++i) {
      out[i] = bytes_[used_ + i];
      bytes_[used_ + i] = 0;  // never handed out twice
    }
    used_ += n;
  }

 private:
  std::array<uint8_t, 1024> bytes_{};
  size_t used_ = bytes_.size();
};

}  // namespace

std::string new_uid() {
  if (sodium_init() < 0) std::abort();  // libsodium cannot work at all: nothing is safe
  thread_local RandomPool pool;
  std::array<uint8_t, 16> b{};
  pool.take(b.data(), b.size());
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace rmb::gateway
