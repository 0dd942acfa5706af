#include "core/protocol/crypto/keccak.h"

#include <bit>
#include <cstddef>
#include <cstring>

namespace rmb::core {
namespace {

constexpr std::array<uint64_t, 24> kRoundConstants = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL, 0x000000000000808bULL,
    0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL, 0x0000000000000088ULL,
    0x0000000080008009ULL, 0x000000008000000aULL, 0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

// rho and pi walk the 24 non-zero lanes in one cycle: lane kPiLane[i] receives the
// previous lane of the cycle rotated by kRhoOffset[i]. Tables from the Keccak reference.
constexpr std::array<int, 24> kPiLane = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};
constexpr std::array<int, 24> kRhoOffset = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                            27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};

}  // namespace

void keccak_f1600(KeccakState& a) {
  for (uint64_t rc : kRoundConstants) {
    // theta
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      const uint64_t d = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
      a[x] ^= d;
      a[x + 5] ^= d;
      a[x + 10] ^= d;
      a[x + 15] ^= d;
      a[x + 20] ^= d;
    }
    // rho and pi
    uint64_t carry = a[1];
    for (int i = 0; i < 24; ++i) {
      const int j = kPiLane[i];
      const uint64_t next = a[j];
      a[j] = std::rotl(carry, kRhoOffset[i]);
      carry = next;
    }
    // chi
    for (int y = 0; y < 25; y += 5) {
      const uint64_t r0 = a[y], r1 = a[y + 1], r2 = a[y + 2], r3 = a[y + 3], r4 = a[y + 4];
      a[y] = r0 ^ (~r1 & r2);
      a[y + 1] = r1 ^ (~r2 & r3);
      a[y + 2] = r2 ^ (~r3 & r4);
      a[y + 3] = r3 ^ (~r4 & r0);
      a[y + 4] = r4 ^ (~r0 & r1);
    }
    // iota
    a[0] ^= rc;
  }
}

void keccak_f1600_bytes(std::array<uint8_t, 200>& bytes) {
  KeccakState lanes{};
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(lanes.data(), bytes.data(), bytes.size());
    keccak_f1600(lanes);
    std::memcpy(bytes.data(), lanes.data(), bytes.size());
    return;
  }
  for (size_t i = 0; i < lanes.size(); ++i) {
    uint64_t v = 0;
    for (int j = 7; j >= 0; --j) v = (v << 8) | bytes[8 * i + j];
    lanes[i] = v;
  }
  keccak_f1600(lanes);
  for (size_t i = 0; i < lanes.size(); ++i) {
    for (int j = 0; j < 8; ++j) bytes[8 * i + j] = static_cast<uint8_t>(lanes[i] >> (8 * j));
  }
}

}  // namespace rmb::core
