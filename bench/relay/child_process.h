#pragma once
// A server the bench starts (rmb-relay, nats-server): its own process, output to a log
// file, optionally pinned to CPUs, killed when the bench ends (and by the kernel if the
// bench dies first: PR_SET_PDEATHSIG).
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rmb::bench {

struct ChildSpec {
  std::string program;            // path to the executable
  std::vector<std::string> args;  // without argv[0]
  std::string log_path;           // stdout and stderr go here
  std::vector<int> cpus;          // empty = inherit
};

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> spawn(const ChildSpec& spec);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // False once the process has exited (reaps it).
  bool running();
  // "exited with status N" / "killed by signal N (name)" once reaped, else "running".
  std::string exit_description() const;
  // SIGTERM, then SIGKILL after `grace`; always reaps.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
  // The last `max_bytes` of the log, for error messages.
  std::string log_tail(size_t max_bytes = 2000) const;

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace rmb::bench
