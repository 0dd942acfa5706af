#pragma once
// N closed-loop callers: each starts its next call the moment the previous one ends, so
// exactly N calls are in flight. The same driver runs the rmb and the NATS side, so both
// are measured the same way: warm-up, then a measured window in which every call that
// completes is counted and its latency kept, then a drain that waits for the calls still
// in flight (no call of one run leaks into the next).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rmb::bench {

struct LoopResult {
  std::string error;          // non-empty: the run could not finish cleanly
  uint64_t calls = 0;         // successful calls completed in the window
  uint64_t failures = 0;      // failed calls completed in the window
  std::string first_failure;  // what the first failed call (any phase) said
  double seconds = 0;         // the window as the steady clock saw it
  double p50_us = 0, p99_us = 0;
  double calls_per_second() const { return seconds > 0 ? static_cast<double>(calls) / seconds : 0; }
};

struct LoopWindow {
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds drain{40000};  // longer than any call's deadline
};

class ClosedLoop {
 public:
  // Reports one call's outcome; `error` is ignored when ok. Called exactly once per call,
  // from any thread.
  using Done = std::function<void(bool ok, std::string_view error)>;
  // Starts one call for `caller` (0..callers-1); must not block.
  using Issue = std::function<void(size_t caller, Done done)>;

  ClosedLoop(size_t callers, Issue issue);

  // Blocks the calling thread for warm-up + window + drain. `at_start`/`at_end` run on
  // this thread right at the window's edges (CPU-time readings, perf).
  LoopResult run(const LoopWindow& window, const std::function<void()>& at_start, const std::function<void()>& at_end);

 private:
  struct Caller {
    std::chrono::steady_clock::time_point started;
    std::vector<double> latencies_us;
    uint64_t failures = 0;
  };
  void kick(size_t caller);
  void finish(size_t caller, bool ok, std::string_view error);

  Issue issue_;
  std::vector<Caller> callers_;
  std::atomic<bool> measuring_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t active_ = 0;          // callers still looping (mu_)
  std::string first_failure_;  // mu_
};

}  // namespace rmb::bench
