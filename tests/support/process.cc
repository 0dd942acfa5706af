#include "tests/support/process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

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

absl::StatusOr<std::unique_ptr<WatchedProcess>> WatchedProcess::spawn(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  auto child = ChildProcess::spawn(argv, fds[1]);
  ::close(fds[1]);
  if (!child.ok()) {
    ::close(fds[0]);
    return child.status();
  }
  auto watched = std::unique_ptr<WatchedProcess>(new WatchedProcess());
  watched->process_ = std::move(*child);
  watched->reader_ = std::thread([w = watched.get(), fd = fds[0]] { w->read_loop(fd); });
  return watched;
}

void WatchedProcess::read_loop(int fd) {
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    (void)!::write(STDERR_FILENO, buffer, static_cast<size_t>(n));
    std::lock_guard lock(mu_);
    output_.append(buffer, static_cast<size_t>(n));
    cv_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mu_);
  eof_ = true;
  cv_.notify_all();
}

WatchedProcess::~WatchedProcess() {
  process_.reset();  // SIGKILL if still running: its end of the pipe closes
  if (reader_.joinable()) reader_.join();
}

std::string WatchedProcess::output() {
  std::lock_guard lock(mu_);
  return output_;
}

bool WatchedProcess::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return output_.find(text) != std::string::npos; });
}

std::optional<std::vector<std::string>> WatchedProcess::wait_for_match(const std::regex& pattern,
                                                                       std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::smatch match;
  cv_.wait_for(lock, timeout, [&] { return std::regex_search(output_, match, pattern) || eof_; });
  if (!std::regex_search(output_, match, pattern)) return std::nullopt;
  std::vector<std::string> groups;
  for (const auto& group : match) groups.push_back(group.str());
  return groups;
}

std::optional<int> WatchedProcess::stop(int signal, std::chrono::milliseconds timeout) {
  auto code = process_->stop(signal, timeout);
  if (reader_.joinable()) reader_.join();
  return code;
}

std::optional<int> WatchedProcess::wait_exit(std::chrono::milliseconds timeout) {
  auto code = process_->wait_exit(timeout);
  if (code && reader_.joinable()) reader_.join();
  return code;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ProcessResult run_process(const std::vector<std::string>& argv, const RunOptions& options) {
  ProcessResult result;
  if (argv.empty()) return result;
  const std::string io = make_temp_dir("rmb-run");
  const std::string in_path = io + "/in", out_path = io + "/out", err_path = io + "/err";
  std::ofstream(in_path, std::ios::binary) << options.input;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open(in_path.c_str(), O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0 || in < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& name : options.unset_env) ::unsetenv(name.c_str());
    for (const auto& [k, v] : options.env) ::setenv(k.c_str(), v.c_str(), 1);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  pid_t r = -1;
  if (pid > 0) {
    do {
      r = ::waitpid(pid, &status, 0);
    } while (r < 0 && errno == EINTR);
  }
  if (r == pid) result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::error_code ec;
  std::filesystem::remove_all(io, ec);
  return result;
}

std::string rmb_binary() {
  const char* build = std::getenv("RMB_BUILD_DIR");
  return std::string(build && *build ? build : ".") + "/tools/rmb";
}

ProcessResult run_rmb(std::vector<std::string> args, const RunOptions& options) {
  args.insert(args.begin(), rmb_binary());
  return run_process(args, options);
}

std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
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

uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  // Without SO_REUSEADDR on this socket no other bind() can share the port.
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  return ntohs(addr.sin_port);  // fd stays open until the test process exits
}

const std::regex& relay_listening_line() {
  static const std::regex line(R"(rmb-relay listening on \S+ \(port (\d+))");
  return line;
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
  std::vector<std::string> argv = {relay_binary(), "--listen", absl::StrCat("127.0.0.1:", port)};
  argv.insert(argv.end(), args.begin(), args.end());
  // rmb-relay keeps mail in Redis at localhost:6379 unless told otherwise (rmb-rs's
  // default); a test that brings no Redis of its own keeps mail in memory and never
  // touches whatever answers on 6379.
  if (std::none_of(args.begin(), args.end(),
                   [](const std::string& a) { return a == "--redis" || a == "-r" || a == "--mailbox"; })) {
    argv.insert(argv.end(), {"--mailbox", "memory"});
  }
  auto watched = WatchedProcess::spawn(argv);
  if (!watched.ok()) return watched.status();
  auto relay = std::unique_ptr<RelayProcess>(new RelayProcess());
  relay->watched_ = std::move(*watched);
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  const auto listening = relay->watched_->wait_for_match(relay_listening_line(), ready_timeout);
  if (!listening) {
    if (auto code = relay->watched_->wait_exit(std::chrono::milliseconds(0))) {
      return absl::UnavailableError(absl::StrCat("rmb-relay exited with ", *code, " before it was ready"));
    }
    return absl::DeadlineExceededError("rmb-relay did not log the port it listens on in time");
  }
  relay->port_ = static_cast<uint16_t>(std::stoul((*listening)[1]));
  while (std::chrono::steady_clock::now() < deadline) {
    HttpResult health = http_request(relay->port_, "GET", "/healthz", "", std::chrono::milliseconds(500));
    if (health.status == 200) return relay;
    if (auto code = relay->process().exit_code()) {
      return absl::UnavailableError(absl::StrCat("rmb-relay exited with ", *code, " before it was ready"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError("rmb-relay did not answer /healthz in time");
}

}  // namespace rmb::test
