#pragma once
// Keccak-f[1600], the bare permutation. Written here because no Debian library exposes
// it: OpenSSL and libsodium only offer finished hashes (SHA3/SHAKE, BLAKE2), and STROBE
// (core/protocol/crypto/strobe.h) needs the raw permutation over its own padding.
#include <array>
#include <cstdint>

namespace rmb::core {

// 25 lanes of 64 bits, lane (x, y) at index x + 5*y.
using KeccakState = std::array<uint64_t, 25>;

// 24 rounds of Keccak-f[1600] in place.
void keccak_f1600(KeccakState& state);

// The same permutation over the 200-byte little-endian view of the state (lane i is
// bytes 8i..8i+7), the form sponge constructions such as STROBE work on.
void keccak_f1600_bytes(std::array<uint8_t, 200>& state);

}  // namespace rmb::core
