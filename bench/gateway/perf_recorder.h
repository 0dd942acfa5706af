#pragma once
// `perf record -g` attached to running processes for one measured window, one output
// file per process, so that a reader can see where the time of a run goes:
//   perf report --stdio --no-children --sort dso,sym -i <file>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bench/relay/child_process.h"

namespace rmb::bench {

struct PerfTarget {
  std::string name;  // file stem: <dir>/<name>.perf.data
  pid_t pid = 0;
};

class PerfRecorder {
 public:
  PerfRecorder(std::string perf_binary, std::string dir) : perf_(std::move(perf_binary)), dir_(std::move(dir)) {}
  // Starts one `perf record -g -p PID -- sleep <seconds>` per target.
  absl::Status start(const std::vector<PerfTarget>& targets, std::chrono::milliseconds window);
  // Waits for every perf to finish writing (up to 60 s); the files written.
  absl::StatusOr<std::vector<std::string>> finish();

 private:
  std::string perf_;
  std::string dir_;
  std::vector<std::unique_ptr<ChildProcess>> running_;
  std::vector<std::string> files_;
};

}  // namespace rmb::bench
