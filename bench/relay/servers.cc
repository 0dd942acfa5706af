#include "bench/relay/servers.h"

#include <chrono>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/relay/net_util.h"

namespace rmb::bench {
namespace {

constexpr auto kStartDeadline = std::chrono::seconds(15);

// Polls `probe` until it succeeds, the child dies or the deadline passes.
absl::Status wait_ready(ChildProcess& child, const std::string& what, const std::function<absl::Status()>& probe) {
  const auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
  absl::Status last = absl::UnavailableError("not probed");
  while (std::chrono::steady_clock::now() < deadline) {
    if (!child.running()) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, " exited during start-up; log ", child.log_path(), ":\n", child.log_tail()));
    }
    last = probe();
    if (last.ok()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(what, " not ready after 15 s (", last.message(), "); log ",
                                                  child.log_path(), ":\n", child.log_tail()));
}

}  // namespace

absl::StatusOr<RunningServer> start_relay(const RelayLaunch& launch) {
  auto port = free_loopback_port();
  if (!port.ok()) return port.status();
  ChildSpec spec;
  spec.program = launch.binary;
  spec.args = {"--listen",    absl::StrCat("127.0.0.1:", *port),
               "--directory", launch.directory_file,
               "--domain",    launch.domain,
               "--mailbox",   "memory"};
  spec.args.insert(spec.args.end(), launch.extra_args.begin(), launch.extra_args.end());
  spec.log_path = launch.log_path;
  spec.cpus = launch.cpus;
  auto child = ChildProcess::spawn(spec);
  if (!child.ok()) return child.status();
  const uint16_t p = *port;
  absl::Status ready = wait_ready(**child, "rmb-relay", [p] {
    auto code = http_get_status(p, "/healthz", std::chrono::milliseconds(500));
    if (!code.ok()) return code.status();
    if (*code != 200) return absl::UnavailableError(absl::StrCat("/healthz answered ", *code));
    return absl::OkStatus();
  });
  if (!ready.ok()) return ready;
  return RunningServer{std::move(*child), p};
}

absl::StatusOr<RunningServer> start_nats(const std::string& binary, const std::string& log_path,
                                         const std::vector<int>& cpus) {
  auto port = free_loopback_port();
  if (!port.ok()) return port.status();
  ChildSpec spec;
  spec.program = binary;
  spec.args = {"-a", "127.0.0.1", "-p", absl::StrCat(*port)};
  spec.log_path = log_path;
  spec.cpus = cpus;
  auto child = ChildProcess::spawn(spec);
  if (!child.ok()) return child.status();
  const uint16_t p = *port;
  absl::Status ready =
      wait_ready(**child, "nats-server", [p] { return expect_greeting(p, "INFO", std::chrono::milliseconds(500)); });
  if (!ready.ok()) return ready;
  return RunningServer{std::move(*child), p};
}

}  // namespace rmb::bench
