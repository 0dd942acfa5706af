#pragma once
// The engine's metrics: counters, gauges and the request latency histogram, registered in a
// core::metrics::Registry (rmb-peer's, served on --metrics-listen). Written from any thread.
// Names and help texts are what dashboards read; keep them.
#include <array>
#include <cstdint>
#include <memory>

#include "core/obs/metrics.h"
#include "core/protocol/errors.h"

namespace rmb::gateway {

struct EngineStats {
  using Counter = core::metrics::Counter;
  using Gauge = core::metrics::Gauge;

  // Registers in `registry`, or in one of its own when null (an engine without an endpoint).
  explicit EngineStats(core::metrics::Registry* registry);
  EngineStats(const EngineStats&) = delete;
  EngineStats& operator=(const EngineStats&) = delete;

  // First: the references below point into the registry.
  std::unique_ptr<core::metrics::Registry> own_registry;
  core::metrics::Registry& registry;

  // Outgoing requests (one per Outbox::request, whatever the fan-out) and envelopes sent
  // for them (one per destination).
  Counter& requests_out;
  Counter& request_envelopes_out;
  // Incoming requests that passed validation (before dedupe and dispatch).
  Counter& requests_in;
  // Responses and error envelopes sent to remote twins (Outbox::reply, rmb.version,
  // validation errors).
  Counter& replies_out;
  // Responses and errors received that matched a pending destination.
  Counter& replies_in;
  // Replies for no pending request, or from a twin the request was not sent to.
  Counter& replies_ignored;
  // Frames dropped: unparsable, failed validation, unsupported message, rmb.* unknown.
  Counter& dropped;
  // Incoming requests suppressed as duplicates of one already delivered.
  Counter& dedup_hits;
  // Of those, the ones answered again with the reply already given (reply cache).
  Counter& replies_replayed;
  // Relay errors of a fan-out held until the deadline (they name no destination).
  Counter& relay_errors_held;
  // Request envelopes sent again (same uid, same bytes) because no answer had come: after
  // a relay link dropped, or when the resend timer came due.
  Counter& resends;
  // Destinations that got no answer before the deadline.
  Counter& expired;
  // Frames the relay links refused (no link before the deadline).
  Counter& send_failures;
  // Requests currently waiting for outcomes / incoming requests a service still owes.
  Gauge& pending;
  Gauge& incoming_in_flight;

  // Errors this gateway produced (local outcomes and error envelopes it sent), by code:
  // errors_by_code[i] counts kErrorCodes[i]; the last slot counts every other code. Every
  // code is shown from the start, at 0.
  static constexpr std::array<uint32_t, 9> kErrorCodes = core::rmb_error::kAll;
  core::metrics::Family<Counter>& errors;  // rmb_peer_errors_total{code}
  std::array<Counter*, kErrorCodes.size() + 1> errors_by_code{};
  void count_error(uint32_t code);

  // Request -> outcome latency in seconds, per destination.
  core::metrics::Histogram& latency;
};

}  // namespace rmb::gateway
