#pragma once
// Issue 13's targets, computed from one run's numbers and printed (never enforced):
//  - throughput: calls/s at the most callers >= 0.7 x the crypto-bound limit
//    (cores x 1e6 / crypto CPU us per call, measured in the same run: crypto_floor.h);
//  - latency: p50 at 1 caller <= 1.6 x (crypto chain + NATS request-reply p50);
//  - own cost: each peer's CPU per call outside its crypto <= 60 us at the most callers;
//  - context switches per call, all processes, at 1 caller <= 15.
#include <cstddef>
#include <ostream>

#include "bench/gateway/crypto_floor.h"
#include "bench/relay/report.h"

namespace rmb::bench {

inline constexpr double kTargetBoundRatio = 0.7;
inline constexpr double kTargetLatencyRatio = 1.6;
inline constexpr double kTargetOwnCpuUs = 60;
inline constexpr double kTargetSwitches = 15;

struct TargetRow {
  size_t payload = 0;
  size_t callers = 0;
  size_t cores = 0;
  bool most_callers = false;  // the throughput and own-cost targets apply
  CryptoFloor crypto;
  double rmb_p50_us = -1;
  double rmb_calls_per_second = -1;
  double nats_p50_us = -1;
  double peer_a_cpu_us = -1;  // per call; -1 unknown
  double peer_b_cpu_us = -1;
  double switches = -1;  // per call, every process of the rmb run (bench included)
};

class TargetTable {
 public:
  TargetTable();
  void add(const TargetRow& row);
  void print(std::ostream& out) const;

 private:
  Table table_;
};

}  // namespace rmb::bench
