#pragma once
// The relay's metrics, registered in its core::metrics::Registry (served on GET /metrics of
// the relay's own listener). Names and help texts are what dashboards read; keep them.
// Values other components keep (sessions, mailbox depth, federation) are registered by
// the server as gauge callbacks and collectors on `registry`.
#include <vector>

#include "core/obs/metrics.h"

namespace rmb::relay {

struct Metrics {
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  core::metrics::Registry registry;    // first: the references below point into it
  core::metrics::Counter& message_rx;  // binary frames received from sessions
  core::metrics::Counter& message_tx;  // frames written to sessions
  core::metrics::Counter& message_rx_bytes;
  core::metrics::Counter& message_tx_bytes;
  core::metrics::Counter& federation_rx;                     // envelopes accepted on POST /
  core::metrics::Family<core::metrics::Counter>& evictions;  // relay_session_evictions_total{reason}
  core::metrics::Family<core::metrics::Counter>& drops;      // relay_drops_total{reason}
  core::metrics::Histogram& route_seconds;
};

}  // namespace rmb::relay
