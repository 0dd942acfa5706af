#include "core/protocol/crypto/strobe.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "core/protocol/crypto/keccak.h"

namespace rmb::core {
namespace {

// Rate of STROBE-128 in bytes: 200 - 2*128/8 - 2 (the last two bytes of the rate hold
// the padding of each block).
constexpr uint8_t kStrobeR = 166;

constexpr uint8_t kFlagI = 1;
constexpr uint8_t kFlagA = 1 << 1;
constexpr uint8_t kFlagC = 1 << 2;
constexpr uint8_t kFlagT = 1 << 3;
constexpr uint8_t kFlagM = 1 << 4;
constexpr uint8_t kFlagK = 1 << 5;

}  // namespace

Strobe128::Strobe128(std::span<const uint8_t> protocol_label) {
  // Initial block: the cSHAKE-style domain separation of STROBE v1.0.2.
  const uint8_t head[6] = {1, kStrobeR + 2, 1, 0, 1, 96};
  std::memcpy(state_.data(), head, sizeof head);
  std::memcpy(state_.data() + 6, "STROBEv1.0.2", 12);
  keccak_f1600_bytes(state_);
  meta_ad(protocol_label, false);
}

Strobe128::~Strobe128() { sodium_memzero(state_.data(), state_.size()); }

void Strobe128::meta_ad(std::span<const uint8_t> data, bool more) {
  begin_op(kFlagM | kFlagA, more);
  absorb(data);
}

void Strobe128::ad(std::span<const uint8_t> data, bool more) {
  begin_op(kFlagA, more);
  absorb(data);
}

void Strobe128::prf(std::span<uint8_t> out, bool more) {
  begin_op(kFlagI | kFlagA | kFlagC, more);
  squeeze(out);
}

void Strobe128::key(std::span<const uint8_t> data, bool more) {
  begin_op(kFlagA | kFlagC, more);
  overwrite(data);
}

void Strobe128::run_f() {
  state_[pos_] ^= pos_begin_;
  state_[pos_ + 1] ^= 0x04;
  state_[kStrobeR + 1] ^= 0x80;
  keccak_f1600_bytes(state_);
  pos_ = 0;
  pos_begin_ = 0;
}

void Strobe128::absorb(std::span<const uint8_t> data) {
  for (uint8_t byte : data) {
    state_[pos_] ^= byte;
    if (++pos_ == kStrobeR) run_f();
  }
}

void Strobe128::overwrite(std::span<const uint8_t> data) {
  for (uint8_t byte : data) {
    state_[pos_] = byte;
    if (++pos_ == kStrobeR) run_f();
  }
}

void Strobe128::squeeze(std::span<uint8_t> out) {
  for (uint8_t& byte : out) {
    byte = state_[pos_];
    state_[pos_] = 0;
    if (++pos_ == kStrobeR) run_f();
  }
}

void Strobe128::begin_op(uint8_t flags, bool more) {
  if (more) {
    // Continuing an operation of another kind would silently change the transcript;
    // only our own code calls this, so it is a programming error.
    if (flags != cur_flags_) std::abort();
    return;
  }
  if (flags & kFlagT) std::abort();  // transport operations are not part of this subset
  const uint8_t old_begin = pos_begin_;
  pos_begin_ = static_cast<uint8_t>(pos_ + 1);
  cur_flags_ = flags;
  const uint8_t frame[2] = {old_begin, flags};
  absorb(frame);
  // Cipher and key operations start on a fresh block.
  if ((flags & (kFlagC | kFlagK)) != 0 && pos_ != 0) run_f();
}

}  // namespace rmb::core
