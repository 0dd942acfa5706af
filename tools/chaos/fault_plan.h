#pragma once
// Which faults a chaos run injects, when and for how long, drawn from one seed so that a
// run can be repeated (`--seed`). A fault fires when the request with its trigger number is
// about to be issued: the moments are random but always inside the load, however fast or
// slow the machine is.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/chaos/topology.h"

namespace rmb::tools::chaos {

enum class FaultKind {
  kRelayKill,        // SIGKILL a relay, restart it on the same port and Redis db
  kRedisRestart,     // SIGTERM redis-server (it writes its append-only file), start it again
  kCallerPeerKill,   // SIGKILL the caller-side rmb-peer, restart it
  kServicePeerKill,  // SIGKILL the service-side rmb-peer, restart it
};

struct Fault {
  FaultKind kind = FaultKind::kRelayKill;
  char relay = 0;                         // kRelayKill: 'A' or 'B'
  uint32_t twin = 0;                      // peer kills: whose rmb-peer
  uint64_t trigger = 0;                   // fires before request number `trigger` (0-based) is issued
  std::chrono::milliseconds downtime{0};  // how long the process stays down
  std::string name() const;               // "relay A killed", "redis-server restarted", "twin 1's rmb-peer killed"
};

struct PlanOptions {
  uint64_t requests = 0;
  uint32_t relay_kills = 0;
  bool redis_restart = true;
  bool peer_kills = true;
  uint64_t seed = 1;
  std::chrono::milliseconds max_downtime{1000};
};

// Faults in trigger order. Triggers are distinct, between 5% and 85% of the requests (so
// each has load before and after it), downtimes uniform in [0, max_downtime].
std::vector<Fault> make_fault_plan(const PlanOptions& options, const Topology& topology);

// The routes a fault can interrupt: a relay's kill touches every route with a caller or a
// service on it (federated routes cross both relays); Redis touches all; a peer its twin's.
std::vector<size_t> affected_routes(const Fault& fault, const Topology& topology);

}  // namespace rmb::tools::chaos
