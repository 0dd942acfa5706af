#pragma once
// What several tfchain tests share: hex literals as bytes, and the chain record values of
// the reference's "neck" identity (PROTOCOL.md §3.2 and §10), written once.
#include <string_view>

#include "core/util/bytes.h"

namespace rmb::test {

inline core::Bytes hex(std::string_view h) { return *core::from_hex(h); }

// The "neck" identity's e2e public key (secp256k1, compressed), as a twin record holds it.
inline constexpr char kNeckPkHex[] = "0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55";
inline const core::Bytes kNeckPk = hex(kNeckPkHex);

}  // namespace rmb::test
