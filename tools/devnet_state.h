#pragma once
// What `rmb devnet` keeps in its directory: DIR/devnet.json (the processes `up` started and
// where they listen, so `down` and `status` find them, possibly from another terminal) and
// DIR/twin<N>.mnemonic.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rmb::tools::devnet {

using Json = nlohmann::ordered_json;

struct Proc {
  std::string name;
  pid_t pid = 0;
  std::string program;  // path; its basename guards against pid reuse
  std::string log;
};

struct PeerInfo {
  uint32_t twin = 0;
  std::string grpc;
  std::string metrics;
  std::string redis;  // its Redis front door, if any
  std::string account;
};

struct State {
  pid_t supervisor = 0;  // the foreground `rmb devnet up`, 0 when detached
  std::vector<Proc> procs;
  std::string relay_url;
  uint16_t relay_port = 0;
  std::string redis_url;
  std::vector<PeerInfo> peers;
  std::string dir;
};

std::string state_path(const std::string& dir);
Json to_json(const State& s);
// nullopt when DIR has no state file; a failure when the file is not one.
std::optional<State> load_state(const std::string& dir);
// Replaces the state file whole (write, then rename).
void save_state(const State& s);
// How many of its processes still run.
size_t live_count(const State& s);
// Reverse start order: services, then peers, then the relay, then Redis.
std::vector<std::pair<pid_t, std::string>> stop_order(const State& s);
// The twin's mnemonic, kept across runs in DIR/twin<N>.mnemonic so scripts can keep using it.
std::string twin_mnemonic(const std::string& dir, uint32_t twin);

}  // namespace rmb::tools::devnet
