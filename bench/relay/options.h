#pragma once
// bench_relay's command line (bench/relay/main.cc) and where its threads run.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/common/server_flags.h"

namespace rmb::bench {

// Every twin of the bench lives on this relay domain.
inline constexpr char kDomain[] = "bench.local";

// relay, nats, warmup_s, duration_s and keep_temp: the flags bench_gateway takes too.
struct Options : ServerFlags {
  std::vector<size_t> pairs;
  std::vector<size_t> payloads;
  size_t window = 64;
  double latency_s = 3;
  size_t idle = 10000;
  std::set<std::string> scenarios;
  unsigned relay_threads = 0;
  bool pin = true;
};

struct CpuPlan {
  std::vector<int> bench;
  std::vector<int> servers;  // empty = not pinned
  std::string describe() const {
    if (servers.empty()) return "bench=1 thread, unpinned";
    return absl::StrCat("bench=1 thread cpu", absl::StrJoin(bench, ","), ", servers cpu", absl::StrJoin(servers, ","));
  }
};

// The options, or nullopt with *exit_code set (0 after --help, 2 on a bad option).
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace rmb::bench
