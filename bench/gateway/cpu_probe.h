#pragma once
// CPU seconds and context switches of the processes a bench run involves, read from /proc
// at both edges of its measured window.
#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "bench/gateway/context_switches.h"
#include "bench/relay/proc_stats.h"

namespace rmb::bench {

// CPU seconds and context switches of the processes a run involves, read at both edges
// of its window.
struct CpuProbe {
  std::vector<pid_t> pids;  // 0 = this process
  struct Reading {
    double cpu_s = -1;
    double switches = -1;
  };
  std::vector<Reading> at_start, at_end;
  void read(std::vector<Reading>& into) {
    into.clear();
    for (pid_t pid : pids) {
      Reading r;
      if (auto s = cpu_seconds(pid); s.ok()) r.cpu_s = *s;
      if (auto n = context_switches(pid); n.ok()) r.switches = static_cast<double>(*n);
      into.push_back(r);
    }
  }
  // Per call of process `i`, `scale` x the growth of `field`; -1 if unknown.
  double per_call(size_t i, uint64_t calls, double Reading::*field, double scale) const {
    if (calls == 0 || at_start[i].*field < 0 || at_end[i].*field < 0) return -1;
    return (at_end[i].*field - at_start[i].*field) * scale / static_cast<double>(calls);
  }
};

}  // namespace rmb::bench
