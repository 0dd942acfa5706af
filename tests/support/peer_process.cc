#include "tests/support/peer_process.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "absl/strings/str_cat.h"

namespace rmb::test {

std::string peer_binary() {
  const char* build = std::getenv("RMB_BUILD_DIR");
  return std::string(build && *build ? build : ".") + "/gateway/rmb-peer";
}

absl::StatusOr<std::unique_ptr<PeerProcess>> PeerProcess::spawn(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {peer_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (std::find(args.begin(), args.end(), "--grpc-listen") == args.end()) {
    argv.push_back("--grpc-listen");
    argv.push_back("127.0.0.1:0");
  }
  // rmb-peer serves the Redis queues of localhost:6379 by default (as rmb-rs); a test that
  // names no Redis of its own must not share whatever answers there.
  const auto has = [&](const char* flag) { return std::find(args.begin(), args.end(), flag) != args.end(); };
  if (!has("--redis") && !has("-r") && !has("--no-redis")) argv.push_back("--no-redis");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  auto child = ChildProcess::spawn(argv, fds[1]);
  ::close(fds[1]);
  if (!child.ok()) {
    ::close(fds[0]);
    return child.status();
  }
  auto peer = std::unique_ptr<PeerProcess>(new PeerProcess());
  peer->process_ = std::move(*child);
  peer->reader_ = std::thread([p = peer.get(), fd = fds[0]] { p->read_loop(fd); });
  return peer;
}

absl::StatusOr<std::unique_ptr<PeerProcess>> PeerProcess::start(const std::vector<std::string>& args,
                                                                std::chrono::milliseconds ready_timeout) {
  auto peer = spawn(args);
  if (!peer.ok()) return peer.status();
  static const std::regex kReady(R"(rmb-peer ready: twin (\d+), grpc (\S+))");
  std::unique_lock lock((*peer)->mu_);
  std::smatch match;
  const bool ready = (*peer)->cv_.wait_for(
      lock, ready_timeout, [&] { return std::regex_search((*peer)->output_, match, kReady) || (*peer)->eof_; });
  if (!ready || !std::regex_search((*peer)->output_, match, kReady)) {
    lock.unlock();
    auto code = (*peer)->stop(SIGKILL);
    return absl::UnavailableError(absl::StrCat("rmb-peer was not ready (", ready ? "exited" : "timeout",
                                               code ? absl::StrCat(", exit ", *code) : "", ")"));
  }
  (*peer)->twin_ = static_cast<uint32_t>(std::stoul(match[1].str()));
  (*peer)->grpc_address_ = match[2].str();
  return std::move(*peer);
}

void PeerProcess::read_loop(int fd) {
  char buffer[4096];
  std::string line;
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    // Copy to our stderr so the peer's log is part of the test output.
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

PeerProcess::~PeerProcess() {
  process_.reset();  // SIGKILL if still running: its end of the pipe closes
  if (reader_.joinable()) reader_.join();
}

std::optional<int> PeerProcess::wait_exit(std::chrono::milliseconds timeout) {
  auto code = process_->wait_exit(timeout);
  if (code && reader_.joinable()) reader_.join();  // all of its output is in
  return code;
}

std::optional<int> PeerProcess::stop(int signal, std::chrono::milliseconds timeout) {
  auto code = process_->stop(signal, timeout);
  if (reader_.joinable()) reader_.join();
  return code;
}

std::string PeerProcess::output() {
  std::lock_guard lock(mu_);
  return output_;
}

bool PeerProcess::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return output_.find(text) != std::string::npos; });
}

PeerRun run_peer(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  PeerRun run;
  auto peer = PeerProcess::spawn(args);
  if (!peer.ok()) {
    run.output = std::string(peer.status().message());
    return run;
  }
  run.exit_code = (*peer)->wait_exit(timeout);
  if (!run.exit_code) (*peer)->stop(SIGKILL);
  run.output = (*peer)->output();
  return run;
}

}  // namespace rmb::test
