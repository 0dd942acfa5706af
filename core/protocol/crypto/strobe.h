#pragma once
// STROBE-128 (v1.0.2) on Keccak-f[1600]: only the operations Merlin transcripts use
// (meta-AD, AD, PRF, KEY), with the framing and padding of the STROBE spec. Written here
// because no Debian library provides STROBE.
#include <array>
#include <cstdint>
#include <span>

namespace rmb::core {

class Strobe128 {
 public:
  explicit Strobe128(std::span<const uint8_t> protocol_label);
  ~Strobe128();
  Strobe128(const Strobe128&) = default;
  Strobe128& operator=(const Strobe128&) = default;

  // `more` continues the previous operation of the same kind (no new framing).
  void meta_ad(std::span<const uint8_t> data, bool more);
  void ad(std::span<const uint8_t> data, bool more);
  void prf(std::span<uint8_t> out, bool more);
  void key(std::span<const uint8_t> data, bool more);

 private:
  void begin_op(uint8_t flags, bool more);
  void absorb(std::span<const uint8_t> data);
  void overwrite(std::span<const uint8_t> data);
  void squeeze(std::span<uint8_t> out);
  void run_f();

  std::array<uint8_t, 200> state_{};
  uint8_t pos_ = 0;
  uint8_t pos_begin_ = 0;
  uint8_t cur_flags_ = 0;
};

}  // namespace rmb::core
