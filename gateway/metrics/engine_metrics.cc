#include "gateway/metrics/engine_metrics.h"

#include "absl/strings/str_cat.h"

namespace rmb::gateway::metrics {

namespace {

void counter(std::string& out, const char* name, const char* help, uint64_t value) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n", name, " ", value, "\n");
}

void gauge(std::string& out, const char* name, const char* help, int64_t value) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n", name, " ", value, "\n");
}

std::string bound_text(double ms) {
  // Seconds, as Prometheus expects; shortest form that round-trips the table's values.
  return absl::StrCat(ms / 1000.0);
}

}  // namespace

void render_engine(std::string& out, const EngineStats& s) {
  const auto v = [](const EngineStats::Counter& c) { return c.load(std::memory_order_relaxed); };
  counter(out, "rmb_peer_requests_out_total", "Requests sent by local applications.", v(s.requests_out));
  counter(out, "rmb_peer_request_envelopes_out_total", "Request envelopes sent (one per destination).",
          v(s.request_envelopes_out));
  counter(out, "rmb_peer_requests_in_total", "Valid requests received from remote twins.", v(s.requests_in));
  counter(out, "rmb_peer_replies_out_total", "Responses and errors sent to remote twins.", v(s.replies_out));
  counter(out, "rmb_peer_replies_in_total", "Replies received for pending requests.", v(s.replies_in));
  counter(out, "rmb_peer_replies_ignored_total", "Replies matching no pending request.", v(s.replies_ignored));
  counter(out, "rmb_peer_dropped_total", "Frames dropped (unparsable, invalid, unsupported).", v(s.dropped));
  counter(out, "rmb_peer_duplicates_total", "Incoming requests suppressed as duplicates.", v(s.dedup_hits));
  counter(out, "rmb_peer_replies_replayed_total", "Repeated incoming requests answered again from the reply cache.",
          v(s.replies_replayed));
  counter(out, "rmb_peer_relay_errors_held_total",
          "Relay errors for a fan-out kept until the deadline (they name no destination).", v(s.relay_errors_held));
  counter(out, "rmb_peer_resends_total", "Request envelopes sent again while unanswered (link loss, timer).",
          v(s.resends));
  counter(out, "rmb_peer_expired_total", "Destinations that did not answer before the deadline.", v(s.expired));
  counter(out, "rmb_peer_send_failures_total", "Frames no relay link took before their deadline.", v(s.send_failures));
  gauge(out, "rmb_peer_pending_requests", "Outgoing requests waiting for outcomes.",
        s.pending.load(std::memory_order_relaxed));
  gauge(out, "rmb_peer_incoming_in_flight", "Incoming requests a local service still owes an answer.",
        s.incoming_in_flight.load(std::memory_order_relaxed));

  absl::StrAppend(&out,
                  "# HELP rmb_peer_errors_total RMB errors this gateway produced, by code.\n"
                  "# TYPE rmb_peer_errors_total counter\n");
  for (size_t i = 0; i < EngineStats::kErrorCodes.size(); ++i) {
    absl::StrAppend(&out, "rmb_peer_errors_total{code=\"", EngineStats::kErrorCodes[i], "\"} ", v(s.errors_by_code[i]),
                    "\n");
  }
  absl::StrAppend(&out, "rmb_peer_errors_total{code=\"other\"} ", v(s.errors_by_code.back()), "\n");

  const auto& h = s.latency;
  absl::StrAppend(&out,
                  "# HELP rmb_peer_request_duration_seconds Time from request to outcome, per destination.\n"
                  "# TYPE rmb_peer_request_duration_seconds histogram\n");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < LatencyHistogram::kBoundsMs.size(); ++i) {
    cumulative += h.bucket(i);
    absl::StrAppend(&out, "rmb_peer_request_duration_seconds_bucket{le=\"", bound_text(LatencyHistogram::kBoundsMs[i]),
                    "\"} ", cumulative, "\n");
  }
  cumulative += h.bucket(LatencyHistogram::kBoundsMs.size());
  absl::StrAppend(&out, "rmb_peer_request_duration_seconds_bucket{le=\"+Inf\"} ", cumulative, "\n",
                  "rmb_peer_request_duration_seconds_sum ", h.sum_seconds(), "\n",
                  "rmb_peer_request_duration_seconds_count ", h.count(), "\n");
}

}  // namespace rmb::gateway::metrics
