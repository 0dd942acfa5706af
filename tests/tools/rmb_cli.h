#pragma once
// What the tests of the `rmb` CLI share: running the built binary, and the reference's
// "neck" identity (PROTOCOL.md §3.2), written once.
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.h"

namespace rmb::test {

inline constexpr char kNeck[] = "neck stage box cup core magic produce exercise happy rely vocal then";
// Its e2e public key (secp256k1, compressed).
inline constexpr char kNeckPk[] = "0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55";

// `rmb args...` with `env` added; the developer's own RMB_MNEMONIC must not leak into a test.
inline ProcessResult rmb(std::vector<std::string> args, std::vector<std::pair<std::string, std::string>> env = {}) {
  return run_rmb(std::move(args), {.env = std::move(env), .unset_env = {"RMB_MNEMONIC"}});
}

}  // namespace rmb::test
