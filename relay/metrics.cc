#include "relay/metrics.h"

namespace rmb::relay {

namespace {

// Routing one frame takes microseconds; the top buckets catch a stalled directory or store.
std::vector<double> route_bounds() {
  return {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.1, 1.0};
}

}  // namespace

Metrics::Metrics()
    : message_rx(registry.counter("relay_message_rx", "Binary frames received from sessions")),
      message_tx(registry.counter("relay_message_tx", "Frames written to sessions")),
      message_rx_bytes(registry.counter("relay_message_rx_bytes", "Bytes of binary frames received")),
      message_tx_bytes(registry.counter("relay_message_tx_bytes", "Bytes of frames written to sessions")),
      federation_rx(registry.counter("relay_federation_rx", "Envelopes accepted on POST /")),
      evictions(registry.counter_family("relay_session_evictions_total", "Sessions closed by the relay or the peer",
                                        {"reason"})),
      drops(registry.counter_family("relay_drops_total", "Messages dropped, by reason", {"reason"})),
      route_seconds(registry.histogram("relay_route_seconds", "Time to route one received frame", route_bounds())) {}

}  // namespace rmb::relay
