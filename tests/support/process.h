#pragma once
// Child processes for tests: spawn a program, wait for it to be ready, stop it.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rmb::test {

class ChildProcess {
 public:
  // Starts `argv[0]` (a path) with `argv`; stdout/stderr are inherited, so the child's
  // logs show up in the test's output, unless `stderr_fd` names where its stderr goes.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> spawn(const std::vector<std::string>& argv, int stderr_fd = -1);
  ~ChildProcess();  // SIGKILL + reap if still running

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` and waits up to `timeout` for the exit. Returns the exit code, or
  // 128 + signal number if it died from a signal, or nullopt if it did not exit in time
  // (it is then killed).
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Exit status if it already exited (same encoding as stop()).
  std::optional<int> exit_code();
  // Waits up to `timeout` for it to exit by itself; the exit status, or nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  bool reap(bool block);
  pid_t pid_;
  std::optional<int> status_;
};

// A port that was free a moment ago on 127.0.0.1, below the ephemeral range, never the same
// twice in one process.
uint16_t free_port();
// $RMB_BUILD_DIR/relay/rmb-relay (RMB_BUILD_DIR is set by ctest, see cmake/RmbTest.cmake).
std::string relay_binary();

// A real rmb-relay on 127.0.0.1:<free port>, ready (GET /healthz answered 200) when
// start() returns.
class RelayProcess {
 public:
  // `args` are extra flags, e.g. {"--directory", path, "--domain", "relay.test"}.
  static absl::StatusOr<std::unique_ptr<RelayProcess>> start(
      const std::vector<std::string>& args, std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  // Same on a port chosen beforehand (e.g. one already written into a directory file).
  static absl::StatusOr<std::unique_ptr<RelayProcess>> start_on(
      uint16_t port, const std::vector<std::string>& args,
      std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));

  uint16_t port() const { return port_; }
  ChildProcess& process() { return *process_; }
  // SIGTERM and wait; the exit code (see ChildProcess::stop).
  std::optional<int> terminate() { return process_->stop(SIGTERM); }

 private:
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace rmb::test
