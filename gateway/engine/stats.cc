#include "gateway/engine/stats.h"

#include <algorithm>
#include <string>

namespace rmb::gateway {

namespace {

core::metrics::Registry& registry_of(core::metrics::Registry* given, std::unique_ptr<core::metrics::Registry>& own) {
  if (given != nullptr) return *given;
  own = std::make_unique<core::metrics::Registry>();
  return *own;
}

// Upper bounds in seconds: from a reply on the same host to rmb-rs's longest timeouts.
std::vector<double> latency_bounds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

}  // namespace

EngineStats::EngineStats(core::metrics::Registry* r)
    : registry(registry_of(r, own_registry)),
      requests_out(registry.counter("rmb_peer_requests_out_total", "Requests sent by local applications.")),
      request_envelopes_out(
          registry.counter("rmb_peer_request_envelopes_out_total", "Request envelopes sent (one per destination).")),
      requests_in(registry.counter("rmb_peer_requests_in_total", "Valid requests received from remote twins.")),
      replies_out(registry.counter("rmb_peer_replies_out_total", "Responses and errors sent to remote twins.")),
      replies_in(registry.counter("rmb_peer_replies_in_total", "Replies received for pending requests.")),
      replies_ignored(registry.counter("rmb_peer_replies_ignored_total", "Replies matching no pending request.")),
      dropped(registry.counter("rmb_peer_dropped_total", "Frames dropped (unparsable, invalid, unsupported).")),
      dedup_hits(registry.counter("rmb_peer_duplicates_total", "Incoming requests suppressed as duplicates.")),
      replies_replayed(registry.counter("rmb_peer_replies_replayed_total",
                                        "Repeated incoming requests answered again from the reply cache.")),
      relay_errors_held(
          registry.counter("rmb_peer_relay_errors_held_total",
                           "Relay errors for a fan-out kept until the deadline (they name no destination).")),
      resends(registry.counter("rmb_peer_resends_total",
                               "Request envelopes sent again while unanswered (link loss, timer).")),
      expired(registry.counter("rmb_peer_expired_total", "Destinations that did not answer before the deadline.")),
      send_failures(
          registry.counter("rmb_peer_send_failures_total", "Frames no relay link took before their deadline.")),
      pending(registry.gauge("rmb_peer_pending_requests", "Outgoing requests waiting for outcomes.")),
      incoming_in_flight(
          registry.gauge("rmb_peer_incoming_in_flight", "Incoming requests a local service still owes an answer.")),
      errors(registry.counter_family("rmb_peer_errors_total", "RMB errors this gateway produced, by code.", {"code"})),
      latency(registry.histogram("rmb_peer_request_duration_seconds", "Time from request to outcome, per destination.",
                                 latency_bounds())) {
  for (size_t i = 0; i < kErrorCodes.size(); ++i) errors_by_code[i] = &errors.with(std::to_string(kErrorCodes[i]));
  errors_by_code.back() = &errors.with("other");
}

void EngineStats::count_error(uint32_t code) {
  const auto it = std::find(kErrorCodes.begin(), kErrorCodes.end(), code);
  errors_by_code[static_cast<size_t>(it - kErrorCodes.begin())]->inc();
}

}  // namespace rmb::gateway
