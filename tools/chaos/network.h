#pragma once
// The real processes of a chaos run on 127.0.0.1: one redis-server (append-only file on,
// so a graceful restart keeps its data), relays A and B federating over http (each on its
// own Redis db), one rmb-peer per twin (gRPC API + Redis front door on its own db). Each
// can be killed and started again on the same port with the same arguments; its output
// goes to DIR/logs/<name>.log, appended across restarts with a marker line. rmb-relay and
// rmb-peer run from copies in DIR/bin, so a rebuild during the run changes nothing.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tools/chaos/topology.h"
#include "tools/devnet_process.h"

namespace rmb::tools::chaos {

struct NetworkOptions {
  std::string dir;  // state directory: twins.json, redis/, logs/
  std::string relay_bin, peer_bin, redis_bin;
  std::vector<std::string> relay_args, peer_args;  // extra flags for every relay / peer
  uint16_t first_port = 20000;                     // ports are taken from here upwards
  std::chrono::seconds start_timeout{30};
};

class Network {
 public:
  Network(NetworkOptions options, const Topology& topology);
  ~Network();  // stops whatever still runs
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Writes twins.json and starts everything, each waited for; throws CliError naming the
  // process and the end of its log.
  void start();
  void stop();

  void kill_relay(char relay);   // SIGKILL, reaped
  void start_relay(char relay);  // same port and db; returns once it accepts connections
  void stop_redis();             // SIGTERM (redis-server saves its AOF), waited for
  void start_redis();            // returns once it answers PING with PONG (AOF loaded)
  void kill_peer(uint32_t twin);
  void start_peer(uint32_t twin);  // returns once it logged "rmb-peer ready" again

  std::string peer_grpc(uint32_t twin) const;
  std::string peer_redis_url(uint32_t twin) const;  // redis://127.0.0.1:P/<db>
  std::string logs_dir() const;
  std::string relay_domain(char relay) const;

  // A process that should be running but exited by itself: "relay A exited (signal 11)"
  // and the end of its log.
  std::optional<std::string> unexpected_exit();

 private:
  struct Proc {
    std::string name;
    devnet::SpawnSpec spec;
    pid_t pid = -1;
    bool up = false;  // should be running
    size_t starts = 0;
  };
  void launch(Proc& p, const std::string& why);
  void wait_until(Proc& p, const std::string& what, const std::function<bool()>& ready);
  void kill_and_reap(Proc& p, int signo, std::chrono::milliseconds grace);
  uint16_t port(const std::string& what);
  Proc& proc(const std::string& name);

  NetworkOptions options_;
  const Topology& topology_;
  std::vector<uint16_t> taken_;
  uint16_t redis_port_ = 0;
  std::map<char, uint16_t> relay_ports_;
  std::map<uint32_t, uint16_t> grpc_ports_;
  std::map<uint32_t, std::string> mnemonics_;
  std::vector<Proc> procs_;  // in start order
  mutable std::mutex mutex_;
};

}  // namespace rmb::tools::chaos
