#include "bench/gateway/perf_recorder.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rmb::bench {

absl::Status PerfRecorder::start(const std::vector<PerfTarget>& targets, std::chrono::milliseconds window) {
  for (const PerfTarget& target : targets) {
    ChildSpec spec;
    spec.program = perf_;
    const std::string file = absl::StrCat(dir_, "/", target.name, ".perf.data");
    // 999 Hz keeps the overhead on a 2-core machine small; -g = frame-pointer call
    // graphs (good enough to attribute self time to libraries and their callers).
    spec.args = {"record",
                 "-g",
                 "-F",
                 "999",
                 "-q",
                 "-p",
                 absl::StrCat(target.pid),
                 "-o",
                 file,
                 "--",
                 "sleep",
                 absl::StrFormat("%.3f", window.count() / 1000.0)};
    spec.log_path = absl::StrCat(dir_, "/", target.name, ".perf.log");
    auto child = ChildProcess::spawn(spec);
    if (!child.ok()) return child.status();
    running_.push_back(std::move(*child));
    files_.push_back(file);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> PerfRecorder::finish() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (auto& child : running_) {
    while (child->running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (child->running()) {
      child->stop();
      return absl::DeadlineExceededError(absl::StrCat("perf (pid ", child->pid(), ") still running after 60 s"));
    }
    if (child->exit_description() != "exited with status 0") {
      return absl::InternalError(absl::StrCat("perf ", child->exit_description(), ": ", child->log_tail()));
    }
  }
  running_.clear();
  return files_;
}

}  // namespace rmb::bench
