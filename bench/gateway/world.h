#pragma once
// Everything bench_gateway talks to, as child processes on free loopback ports: a temp
// dir with twins.json naming twin A (caller side) and twin B (service side), both with
// their e2e keys published so every request and reply is signed AND encrypted; rmb-relay;
// one rmb-peer per twin; nats-server for the baseline. All are stopped (and the temp dir
// removed unless kept) when the World goes away; PR_SET_PDEATHSIG kills them if the
// bench dies first.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "bench/relay/child_process.h"
#include "bench/relay/servers.h"
#include "core/protocol/identity/key_type.h"

namespace rmb::bench {

struct WorldOptions {
  std::string relay_binary;
  std::string peer_binary;
  std::string nats_binary;
  core::KeyType key_type = core::KeyType::kEd25519;
  unsigned peer_threads = 0;  // rmb-peer --threads (0 = its default)
  bool unix_grpc = false;     // peers listen for gRPC on a unix socket in the temp dir, not TCP
  bool keep_temp = false;
};

struct PeerHandle {
  std::unique_ptr<ChildProcess> process;
  uint32_t twin = 0;
  std::string grpc_address;  // "127.0.0.1:port" from the ready line
};

class World {
 public:
  static absl::StatusOr<std::unique_ptr<World>> start(const WorldOptions& options);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const std::string& dir() const { return dir_; }
  const RunningServer& relay() const { return relay_; }
  const RunningServer& nats() const { return nats_; }
  const PeerHandle& caller_peer() const { return a_; }
  const PeerHandle& service_peer() const { return b_; }
  // "" while every child still runs, else which one died and how (with its log tail).
  std::string dead_child();

 private:
  World() = default;
  std::string dir_;
  bool keep_temp_ = false;
  RunningServer relay_;
  PeerHandle a_, b_;
  RunningServer nats_;
};

}  // namespace rmb::bench
