#pragma once
// Memory per idle authenticated connection: the server's VmRSS before and after N
// clients have connected (WebSocket upgraded with a valid token / NATS CONNECT answered)
// and then sit idle.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/relay/fixture.h"

namespace rmb::bench {

struct IdleConfig {
  size_t connections = 10000;
  size_t concurrency = 256;                // handshakes in progress at once
  std::chrono::milliseconds settle{2000};  // quiet time before each RSS reading
  std::chrono::seconds deadline{120};      // for establishing all connections
};

struct IdleResult {
  std::string error;
  size_t established = 0;
  size_t failed = 0;
  size_t open_at_measure = 0;
  std::string first_failure;
  uint64_t rss_before_kib = 0;
  uint64_t rss_after_kib = 0;
  double per_connection_kib = 0;  // (after - before) / open_at_measure
  double connect_seconds = 0;
};

// Connection k is identity first_identity + k (a distinct twin each).
IdleResult run_relay_idle(const Fixture& fixture, size_t first_identity, uint16_t port, pid_t server_pid,
                          const IdleConfig& config);
IdleResult run_nats_idle(uint16_t port, pid_t server_pid, const IdleConfig& config);

}  // namespace rmb::bench
