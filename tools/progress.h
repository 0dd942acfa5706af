#pragma once
// A progress line on stderr for long runs (`rmb call --repeat N`): a bar, done/total,
// errors and the rate, redrawn in place at most ten times a second. Drawn only when stderr
// is a terminal, so logs and tests see just the summary.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>

namespace rmb::tools {

class Progress {
 public:
  explicit Progress(size_t total);
  // Thread-safe; redraws when 100 ms passed since the last draw.
  void update(size_t done, size_t errors);
  // Draws the final state and ends the line.
  void finish(size_t done, size_t errors);

 private:
  void draw(size_t done, size_t errors);
  size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;
};

}  // namespace rmb::tools
