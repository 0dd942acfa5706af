#pragma once
// Routing throughput: P sender -> receiver pairs, each with a bounded window of messages
// in flight, counting deliveries over a fixed window. Once through rmb-relay (signed
// request envelopes, twin to twin), once through nats-server (PUB/SUB, one subject and
// two TCP connections per pair), with the same payload sizes.
#include <sys/types.h>
#include <cstddef>

#include <cstdint>
#include <string>

#include "bench/relay/fixture.h"
#include "bench/relay/measure.h"

namespace rmb::bench {

struct ThroughputConfig {
  size_t pairs = 1;
  size_t payload = 64;
  size_t window = 64;  // per pair
  Window timing;
  pid_t server_pid = 0;  // for the server's CPU time over the measured window
};

struct ThroughputResult {
  std::string error;
  uint64_t delivered = 0;  // in the measured window
  double seconds = 0;
  double per_second = 0;
  size_t message_bytes = 0;  // one message as the server reads it (frame payload / PUB body)
  uint64_t anomalies = 0;
  double server_cpu_seconds = -1;  // over the measured window; -1 = unknown
  double bench_cpu_seconds = -1;
};

// Pair i uses fixture identities first+2i (sender) and first+2i+1 (receiver). Every run
// gets identities of its own, so nothing of one run can reach the next.
ThroughputResult run_rmb_throughput(const Fixture& fixture, size_t first_identity, uint16_t relay_port,
                                    const ThroughputConfig& config);
ThroughputResult run_nats_throughput(uint16_t nats_port, const ThroughputConfig& config);

}  // namespace rmb::bench
