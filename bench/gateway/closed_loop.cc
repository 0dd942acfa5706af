#include "bench/gateway/closed_loop.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"

namespace rmb::bench {

using Clock = std::chrono::steady_clock;

ClosedLoop::ClosedLoop(size_t callers, Issue issue) : issue_(std::move(issue)), callers_(callers) {}

void ClosedLoop::kick(size_t caller) {
  callers_[caller].started = Clock::now();
  issue_(caller, [this, caller](bool ok, std::string_view error) { finish(caller, ok, error); });
}

void ClosedLoop::finish(size_t caller, bool ok, std::string_view error) {
  // One call per caller is in flight, so its Caller is touched by one thread at a time;
  // the Issue implementation's own synchronisation orders one call's end before the next.
  Caller& c = callers_[caller];
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - c.started).count();
  if (!ok) {
    std::lock_guard lock(mu_);
    if (first_failure_.empty()) first_failure_ = std::string(error);
  }
  if (measuring_.load(std::memory_order_acquire)) {
    if (ok) {
      c.latencies_us.push_back(us);
    } else {
      ++c.failures;
    }
  }
  if (!stopping_.load(std::memory_order_acquire)) {
    kick(caller);
    return;
  }
  std::lock_guard lock(mu_);
  if (--active_ == 0) cv_.notify_all();
}

LoopResult ClosedLoop::run(const LoopWindow& window, const std::function<void()>& at_start,
                           const std::function<void()>& at_end) {
  {
    std::lock_guard lock(mu_);
    active_ = callers_.size();
  }
  for (size_t i = 0; i < callers_.size(); ++i) kick(i);
  std::this_thread::sleep_for(window.warmup);
  if (at_start) at_start();
  const auto start = Clock::now();
  measuring_.store(true, std::memory_order_release);
  std::this_thread::sleep_for(window.duration);
  measuring_.store(false, std::memory_order_release);
  const auto end = Clock::now();
  if (at_end) at_end();
  stopping_.store(true, std::memory_order_release);

  LoopResult result;
  result.seconds = std::chrono::duration<double>(end - start).count();
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, window.drain, [this] { return active_ == 0; })) {
    result.error = absl::StrCat(active_, " of ", callers_.size(), " callers still waiting for an answer ",
                                window.drain.count() / 1000, " s after the window");
    // Their Done callbacks may still come: callers_ must stay alive, so the ClosedLoop
    // is not destroyed by the caller before its transport is shut down.
  }
  result.first_failure = first_failure_;
  lock.unlock();

  std::vector<double> all;
  for (const Caller& c : callers_) {
    all.insert(all.end(), c.latencies_us.begin(), c.latencies_us.end());
    result.failures += c.failures;
  }
  std::sort(all.begin(), all.end());
  result.calls = all.size();
  if (!all.empty()) {
    // Nearest-rank percentiles.
    auto rank = [&](double q) { return all[std::min(all.size() - 1, static_cast<size_t>(q * all.size()))]; };
    result.p50_us = rank(0.50);
    result.p99_us = rank(0.99);
  }
  return result;
}

}  // namespace rmb::bench
