#include "core/protocol/crypto/merlin.h"

#include <sodium.h>

#include <array>

namespace rmb::core {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::array<uint8_t, 4> u32_le(size_t n) {
  // Merlin frames every length as u32 LE; messages here are far below 4 GiB.
  const auto v = static_cast<uint32_t>(n);
  return {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 24)};
}

}  // namespace

MerlinTranscript::MerlinTranscript(std::string_view label) : strobe_(bytes_of("Merlin v1.0")) {
  append_message("dom-sep", bytes_of(label));
}

void MerlinTranscript::append_message(std::string_view label, std::span<const uint8_t> message) {
  const auto len = u32_le(message.size());
  strobe_.meta_ad(bytes_of(label), false);
  strobe_.meta_ad(len, true);
  strobe_.ad(message, false);
}

void MerlinTranscript::append_u64(std::string_view label, uint64_t value) {
  std::array<uint8_t, 8> le{};
  for (size_t i = 0; i < le.size(); ++i) le[i] = static_cast<uint8_t>(value >> (8 * i));
  append_message(label, le);
}

void MerlinTranscript::challenge_bytes(std::string_view label, std::span<uint8_t> out) {
  const auto len = u32_le(out.size());
  strobe_.meta_ad(bytes_of(label), false);
  strobe_.meta_ad(len, true);
  strobe_.prf(out, false);
}

void MerlinTranscript::witness_bytes(std::string_view label, std::span<uint8_t> out,
                                     std::span<const std::span<const uint8_t>> nonce_seeds) const {
  std::array<uint8_t, 32> random{};
  randombytes_buf(random.data(), random.size());
  witness_bytes_with_rng_bytes(label, out, nonce_seeds, random);
  sodium_memzero(random.data(), random.size());
}

void MerlinTranscript::witness_bytes_with_rng_bytes(std::string_view label, std::span<uint8_t> out,
                                                    std::span<const std::span<const uint8_t>> nonce_seeds,
                                                    std::span<const uint8_t, 32> rng_bytes) const {
  // TranscriptRngBuilder: rekey_with_witness_bytes per seed, finalize with "rng".
  Strobe128 rng = strobe_;
  for (auto seed : nonce_seeds) {
    const auto len = u32_le(seed.size());
    rng.meta_ad(bytes_of(label), false);
    rng.meta_ad(len, true);
    rng.key(seed, false);
  }
  rng.meta_ad(bytes_of("rng"), false);
  rng.key(rng_bytes, false);
  // TranscriptRng::fill_bytes
  const auto len = u32_le(out.size());
  rng.meta_ad(len, false);
  rng.prf(out, false);
}

}  // namespace rmb::core
