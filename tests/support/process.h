#pragma once
// Child processes for tests: spawn a program, wait for it to be ready, stop it.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>
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

// A child whose stderr comes through a pipe: copied to the test's stderr as it comes (so its
// log is part of the test output) and kept, so that a test can wait for a line, e.g. the one
// that gives the port a server bound.
class WatchedProcess {
 public:
  static absl::StatusOr<std::unique_ptr<WatchedProcess>> spawn(const std::vector<std::string>& argv);
  ~WatchedProcess();  // SIGKILL + reap if still running

  ChildProcess& process() { return *process_; }
  pid_t pid() const { return process_->pid(); }
  // Everything it wrote to stderr so far.
  std::string output();
  // Waits until stderr contains `text`.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  // Waits until `pattern` matches stderr; the capture groups of the first match (group 0 is
  // the whole match), or nullopt if stderr closed (the process exited) or `timeout` passed.
  std::optional<std::vector<std::string>> wait_for_match(const std::regex& pattern, std::chrono::milliseconds timeout);
  // As ChildProcess::stop and wait_exit; once the process is gone, all its output is in.
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  WatchedProcess() = default;
  void read_loop(int fd);

  std::unique_ptr<ChildProcess> process_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
};

// A program run to its end with its output captured (through files, so a chatty child can
// never block on a full pipe).
struct RunOptions {
  std::string input;  // its stdin
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> unset_env;
};
struct ProcessResult {
  int exit_code = -1;  // as ChildProcess::stop: 128 + n when killed by signal n
  std::string out, err;
};
ProcessResult run_process(const std::vector<std::string>& argv, const RunOptions& options = {});
// $RMB_BUILD_DIR/tools/rmb, and `rmb args...` run to its end.
std::string rmb_binary();
ProcessResult run_rmb(std::vector<std::string> args, const RunOptions& options = {});
// Exit code, stdout and stderr, for assertion messages.
std::string describe(const ProcessResult& r);
// The whole content of a file ("" when it cannot be read).
std::string slurp(const std::string& path);

// A port that was free a moment ago on 127.0.0.1, below the ephemeral range, never the same
// twice in one process. Only for a server whose address must be known before it starts (a
// federation domain in a directory file, a server that comes up later in the test): every
// other test server listens on port 0 and reports the port it got.
uint16_t free_port();
// A port on 127.0.0.1 where nothing listens, and nothing can while this process runs: a
// socket of ours holds it bound (never listening), so connecting is refused. For "a relay
// that is down" in a directory.
uint16_t closed_port();
// rmb-relay's log line once it accepts connections, "rmb-relay listening on 127.0.0.1:0
// (port N, ...": group 1 is the port it bound (relay/server.cc).
const std::regex& relay_listening_line();
// $RMB_BUILD_DIR/relay/rmb-relay (RMB_BUILD_DIR is set by ctest, see cmake/RmbTest.cmake).
std::string relay_binary();

// A real rmb-relay on 127.0.0.1, ready (its "listening on" log line seen, GET /healthz
// answered 200) when start() returns.
class RelayProcess {
 public:
  // On port 0: the relay binds a port of the kernel's choosing and logs it ("rmb-relay
  // listening on 127.0.0.1:0 (port N, ..."), so parallel tests never race for one.
  // `args` are extra flags, e.g. {"--directory", path, "--domain", "relay.test"}.
  static absl::StatusOr<std::unique_ptr<RelayProcess>> start(
      const std::vector<std::string>& args, std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  // Same on a port known beforehand: a restart on the port of an earlier start(), or one
  // already written into a directory file (free_port()). Fails if the port is taken.
  static absl::StatusOr<std::unique_ptr<RelayProcess>> start_on(
      uint16_t port, const std::vector<std::string>& args,
      std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));

  uint16_t port() const { return port_; }
  ChildProcess& process() { return watched_->process(); }
  // What the relay logged so far.
  std::string output() { return watched_->output(); }
  // SIGTERM and wait; the exit code (see ChildProcess::stop).
  std::optional<int> terminate() { return watched_->stop(SIGTERM); }

 private:
  uint16_t port_ = 0;
  std::unique_ptr<WatchedProcess> watched_;
};

}  // namespace rmb::test
