#pragma once
// Latencies of repeated calls/pings and their summary (min, mean, percentiles, max, mdev),
// kept as raw samples: a CLI run holds at most a few million, and exact percentiles are
// what a person comparing runs expects.
#include <cstddef>
#include <string>
#include <vector>

namespace rmb::tools {

struct LatencySummary {
  size_t count = 0;
  double min_ms = 0, mean_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mdev_ms = 0;
};

class LatencyStats {
 public:
  void add(double ms) { samples_.push_back(ms); }
  void merge(const LatencyStats& other);
  size_t count() const { return samples_.size(); }
  LatencySummary summary() const;

 private:
  std::vector<double> samples_;
};

std::string format_ms(double ms);  // "3.21 ms"

}  // namespace rmb::tools
