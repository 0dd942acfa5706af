#pragma once
// What `rmb devnet up` proves and prints: one real call through the network, where
// everything listens, and commands to try next.
#include <string>

#include "tools/devnet_state.h"

namespace rmb::tools::devnet {

// The command of the echo service `up` starts on the first twin.
inline constexpr char kEchoCommand[] = "echo";

struct CheckResult {
  std::string line;
  bool ok = false;
};

// A real call through the whole path: twin 2's peer -> relay -> twin 1's peer -> echo.
CheckResult check_call(const State& s);
// One line per process and address (relay, peers, Redis, directory, logs).
std::string describe_network(const State& s);
// Commands to try on this network; `rmb` is the path of the running rmb.
std::string next_commands(const State& s, const std::string& rmb, bool detached);

}  // namespace rmb::tools::devnet
