#include "tests/support/peer_process.h"

#include <algorithm>
#include <cstdlib>
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
  auto watched = WatchedProcess::spawn(argv);
  if (!watched.ok()) return watched.status();
  auto peer = std::unique_ptr<PeerProcess>(new PeerProcess());
  peer->watched_ = std::move(*watched);
  return peer;
}

absl::StatusOr<std::unique_ptr<PeerProcess>> PeerProcess::start(const std::vector<std::string>& args,
                                                                std::chrono::milliseconds ready_timeout) {
  auto peer = spawn(args);
  if (!peer.ok()) return peer.status();
  static const std::regex kReady(R"(rmb-peer ready: twin (\d+), grpc (\S+))");
  const auto ready = (*peer)->watched_->wait_for_match(kReady, ready_timeout);
  if (!ready) {
    const bool exited = (*peer)->watched_->process().exit_code().has_value();
    auto code = (*peer)->stop(SIGKILL);
    return absl::UnavailableError(absl::StrCat("rmb-peer was not ready (", exited ? "exited" : "timeout",
                                               code ? absl::StrCat(", exit ", *code) : "", ")"));
  }
  (*peer)->twin_ = static_cast<uint32_t>(std::stoul((*ready)[1]));
  (*peer)->grpc_address_ = (*ready)[2];
  return std::move(*peer);
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
