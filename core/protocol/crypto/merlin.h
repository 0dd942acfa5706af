#pragma once
// Merlin transcripts (merlin 2.x / 3.x, "Merlin v1.0" over STROBE-128), the Fiat-Shamir
// hashing behind schnorrkel (sr25519). Written here because no Debian library provides it.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/protocol/crypto/strobe.h"

namespace rmb::core {

class MerlinTranscript {
 public:
  explicit MerlinTranscript(std::string_view label);

  void append_message(std::string_view label, std::span<const uint8_t> message);
  void append_u64(std::string_view label, uint64_t value);
  void challenge_bytes(std::string_view label, std::span<uint8_t> out);

  // The transcript RNG as schnorrkel's witness_bytes uses it: a fork of the transcript
  // rekeyed with each secret nonce seed under `label`, then with 32 fresh random bytes
  // (libsodium's randombytes), then squeezed into `out`. The transcript itself is unchanged.
  void witness_bytes(std::string_view label, std::span<uint8_t> out,
                     std::span<const std::span<const uint8_t>> nonce_seeds) const;
  // The same with the 32 "random" bytes given by the caller: deterministic, for tests.
  void witness_bytes_with_rng_bytes(std::string_view label, std::span<uint8_t> out,
                                    std::span<const std::span<const uint8_t>> nonce_seeds,
                                    std::span<const uint8_t, 32> rng_bytes) const;

 private:
  Strobe128 strobe_;
};

}  // namespace rmb::core
