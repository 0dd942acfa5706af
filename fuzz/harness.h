#pragma once
// Pieces every fuzz harness shares (header only: fuzz/CMakeLists.txt makes each *.cc a target).
#include <cstdlib>

#include <google/protobuf/stubs/logging.h>

#include "core/obs/log.h"
#include "core/protocol/identity/ed25519.h"
#include "core/util/bytes.h"

namespace rmb::fuzz {

// The Appendix A key, so the seed corpora (vectors A-E, the JWT vectors) verify.
inline const core::Ed25519Signer& appendix_a_signer() {
  static const core::Ed25519Signer s(
      *core::from_hex_fixed<32>("aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce"));
  return s;
}

// A property the harness checks beyond "no crash": abort so libFuzzer records a finding.
inline void require(bool condition) {
  if (!condition) std::abort();
}

// Rejecting garbage is the common case here: protobuf's note on every invalid UTF-8 string
// and the product's warnings cost more than the code under test and bury the findings.
inline void quiet_logs() {
  google::protobuf::SetLogHandler(nullptr);
  core::set_log_level(core::LogLevel::kError);
}

}  // namespace rmb::fuzz
