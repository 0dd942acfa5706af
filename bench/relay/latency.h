#pragma once
// Round-trip latency with one message in flight, as p50/p99 over a fixed window.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/relay/fixture.h"
#include "bench/relay/measure.h"

namespace rmb::bench {

struct LatencyConfig {
  size_t payload = 64;
  Window timing{std::chrono::milliseconds(500), std::chrono::milliseconds(3000)};
};

struct LatencyResult {
  std::string error;
  uint64_t samples = 0;
  double p50_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  uint64_t anomalies = 0;  // replies of the wrong kind, connections ended early
};

// rmb: an envelope ping (destination twin 0) from identity `client`; the relay answers
// with a pong to the same session. One pass through the relay.
LatencyResult run_rmb_ping_latency(const Fixture& fixture, size_t client, uint16_t relay_port,
                                   const LatencyConfig& config);
// rmb: a signed request `client` -> `responder`, which answers at once with a pre-signed
// response. Two passes through the relay, like NATS request-reply.
LatencyResult run_rmb_echo_latency(const Fixture& fixture, size_t client, size_t responder, uint16_t relay_port,
                                   const LatencyConfig& config);
// nats: PUB with a reply inbox to a responder subscribed on the subject, which PUBs the
// same-size payload to the inbox. Two passes through the server.
LatencyResult run_nats_request_latency(uint16_t nats_port, const LatencyConfig& config);
// nats: protocol PING -> PONG on one connection (no payload): one pass, the floor.
LatencyResult run_nats_ping_latency(uint16_t nats_port, const LatencyConfig& config);

}  // namespace rmb::bench
