#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/obs/log.h"

namespace rmb::core {

// At most one line per second from one throttle, so that a flood being refused does not
// flood the log; the next line tells how many were left out.
class LogThrottle {
 public:
  template <class... Args>
  void warn(const Args&... args) {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    int64_t last = last_.load(std::memory_order_relaxed);
    if (now == last || !last_.compare_exchange_strong(last, now)) {
      skipped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const uint64_t skipped = skipped_.exchange(0);
    if (skipped > 0) {
      log_warn(args..., " (and ", skipped, " more like it)");
    } else {
      log_warn(args...);
    }
  }

 private:
  std::atomic<int64_t> last_{-1};
  std::atomic<uint64_t> skipped_{0};
};
}  // namespace rmb::core
