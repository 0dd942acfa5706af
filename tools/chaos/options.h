#pragma once
// The options of `rmb chaos` and their parsing (the soak itself is cmd_chaos.cc).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/chaos/network.h"
#include "tools/command.h"

namespace rmb::tools::chaos {

struct Options {
  uint64_t requests = 0;
  uint32_t concurrency = 0;
  uint32_t relay_kills = 0;
  uint64_t seed = 0;
  uint32_t expiration_s = 0;
  std::chrono::milliseconds max_downtime{0};
  bool redis_restart = true;
  bool peer_kills = true;
  size_t payload_bytes = 0;
  uint32_t max_attempts = 0;
  uint32_t grace_s = 0;
  double settle_s = 0;
  double progress_s = 0;
  std::string dir;
  bool dir_given = false;
  bool keep = false;
  bool json = false;
  NetworkOptions network;
};

// The options of `inv`; *help is set (and nothing else is meaningful) when it asked for help.
Options parse(const Invocation& inv, bool* help);

}  // namespace rmb::tools::chaos
