#include "gateway/engine/stats.h"

#include <algorithm>

namespace rmb::gateway {

void LatencyHistogram::observe(std::chrono::steady_clock::duration elapsed) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  const double ms = static_cast<double>(us) / 1000.0;
  const size_t i = static_cast<size_t>(std::lower_bound(kBoundsMs.begin(), kBoundsMs.end(), ms) - kBoundsMs.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(us, 0)), std::memory_order_relaxed);
}

void EngineStats::count_error(uint32_t code) {
  const auto it = std::find(kErrorCodes.begin(), kErrorCodes.end(), code);
  errors_by_code[static_cast<size_t>(it - kErrorCodes.begin())].fetch_add(1, std::memory_order_relaxed);
}

}  // namespace rmb::gateway
