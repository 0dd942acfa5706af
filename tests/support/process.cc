#include "tests/support/process.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/support/http_client.h"

namespace rmb::test {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const std::vector<std::string>& argv, int stderr_fd) {
  if (argv.empty()) return absl::InvalidArgumentError("spawn: empty argv");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    if (stderr_fd >= 0) ::dup2(stderr_fd, STDERR_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
}

bool ChildProcess::reap(bool block) {
  if (status_) return true;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool ChildProcess::running() { return !reap(false); }

std::optional<int> ChildProcess::exit_code() {
  reap(false);
  return status_;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

std::optional<int> ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (reap(false)) return status_;
  ::kill(pid_, signal);
  if (auto code = wait_exit(timeout)) return code;
  ::kill(pid_, SIGKILL);
  reap(true);
  return std::nullopt;
}

namespace {

// Binds 127.0.0.1:`port` (0 = any) and closes again; the port bound, or 0 if none.
uint16_t try_bind(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t len = sizeof addr;
  uint16_t bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    bound = ntohs(addr.sin_port);
  }
  ::close(fd);
  return bound;
}

// The first port of the kernel's ephemeral range (Linux default 32768).
unsigned ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 0;
  return in >> low && low > 0 ? low : 32768;
}

}  // namespace

// Drawn at random from below the ephemeral range, not from bind(0): a port bind(0) hands out
// is ephemeral, so until the test's server binds it any outgoing connection (this test's or
// a parallel one's) may take it as its source port, and two processes asking at once tend
// to get neighbouring or equal ports. A port is not handed out twice by one process.
uint16_t free_port() {
  static std::mutex mu;
  static std::set<uint16_t> given;
  static std::mt19937 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  constexpr unsigned kLow = 20000;
  static const unsigned high = ephemeral_low() - 1;
  if (high > kLow + 1000) {
    std::uniform_int_distribution<unsigned> pick(kLow, high);
    for (int attempt = 0; attempt < 200; ++attempt) {
      const auto port = static_cast<uint16_t>(pick(rng));
      if (!given.contains(port) && try_bind(port) == port) {
        given.insert(port);
        return port;
      }
    }
  }
  const uint16_t port = try_bind(0);
  if (port != 0) given.insert(port);
  return port;
}

std::string relay_binary() {
  const char* build = std::getenv("RMB_BUILD_DIR");
  return std::string(build && *build ? build : ".") + "/relay/rmb-relay";
}

absl::StatusOr<std::unique_ptr<RelayProcess>> RelayProcess::start(const std::vector<std::string>& args,
                                                                  std::chrono::milliseconds ready_timeout) {
  return start_on(0, args, ready_timeout);
}

absl::StatusOr<std::unique_ptr<RelayProcess>> RelayProcess::start_on(uint16_t port,
                                                                     const std::vector<std::string>& args,
                                                                     std::chrono::milliseconds ready_timeout) {
  absl::Status last = absl::UnavailableError("not started");
  // A free port may be taken between free_port() and the relay's bind: try again (only
  // when the port is ours to choose).
  for (int attempt = 0; attempt < (port == 0 ? 3 : 1); ++attempt) {
    auto relay = std::unique_ptr<RelayProcess>(new RelayProcess());
    relay->port_ = port != 0 ? port : free_port();
    std::vector<std::string> argv = {relay_binary(), "--listen", absl::StrCat("127.0.0.1:", relay->port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    // rmb-relay keeps mail in Redis at localhost:6379 unless told otherwise (rmb-rs's
    // default); a test that brings no Redis of its own keeps mail in memory and never
    // touches whatever answers on 6379.
    if (std::none_of(args.begin(), args.end(),
                     [](const std::string& a) { return a == "--redis" || a == "-r" || a == "--mailbox"; })) {
      argv.insert(argv.end(), {"--mailbox", "memory"});
    }
    auto child = ChildProcess::spawn(argv);
    if (!child.ok()) return child.status();
    relay->process_ = std::move(*child);
    const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto code = relay->process_->exit_code()) {
        last = absl::UnavailableError(absl::StrCat("rmb-relay exited with ", *code, " before it was ready"));
        break;
      }
      HttpResult health = http_request(relay->port_, "GET", "/healthz", "", std::chrono::milliseconds(500));
      if (health.status == 200) return relay;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (relay->process_->running()) {
      last = absl::DeadlineExceededError("rmb-relay did not answer /healthz in time");
    }
  }
  return last;
}

}  // namespace rmb::test
