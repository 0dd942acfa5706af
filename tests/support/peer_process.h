#pragma once
// A real rmb-peer for tests: spawned with a pipe on its stderr, which is copied to the
// test's stderr line by line and watched for the "rmb-peer ready: twin <id>, grpc <addr>"
// line. Without --grpc-listen in the arguments the peer listens on 127.0.0.1:0 and the
// address comes from that line (no port races).
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/process.h"

namespace rmb::test {

// $RMB_BUILD_DIR/gateway/rmb-peer
std::string peer_binary();

class PeerProcess {
 public:
  // Starts rmb-peer with `args` and waits for its ready line.
  static absl::StatusOr<std::unique_ptr<PeerProcess>> start(
      const std::vector<std::string>& args, std::chrono::milliseconds ready_timeout = std::chrono::seconds(30));
  // Starts rmb-peer without waiting (for runs expected to fail; see wait_exit()).
  static absl::StatusOr<std::unique_ptr<PeerProcess>> spawn(const std::vector<std::string>& args);

  pid_t pid() const { return watched_->pid(); }
  uint32_t twin() const { return twin_; }
  // The gRPC address from the ready line ("127.0.0.1:port" or "unix:/path").
  const std::string& grpc_address() const { return grpc_address_; }

  // Sends `signal`, waits up to `timeout`; the exit code (128 + n for a signal), nullopt if
  // it had to be killed.
  std::optional<int> stop(int signal = SIGTERM, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return watched_->stop(signal, timeout);
  }
  void kill() { stop(SIGKILL); }
  // Waits for the process to exit by itself.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return watched_->wait_exit(timeout);
  }
  // Everything it wrote to stderr so far.
  std::string output() { return watched_->output(); }
  // Waits until stderr contains `text`.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
    return watched_->wait_for_output(text, timeout);
  }

 private:
  PeerProcess() = default;

  std::unique_ptr<WatchedProcess> watched_;
  uint32_t twin_ = 0;
  std::string grpc_address_;
};

// Runs rmb-peer to its exit; the exit code and its stderr.
struct PeerRun {
  std::optional<int> exit_code;
  std::string output;
};
PeerRun run_peer(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace rmb::test
