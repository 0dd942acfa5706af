#pragma once
// The engine's counters and request latency histogram. Plain atomics: written from any
// thread, read by the metrics endpoint (gateway/metrics renders them as Prometheus text).
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/protocol/errors.h"

namespace rmb::gateway {

class LatencyHistogram {
 public:
  // Upper bounds in milliseconds; an implicit +Inf bucket follows the last.
  static constexpr std::array<double, 14> kBoundsMs = {1,   2.5, 5,    10,   25,   50,    100,
                                                       250, 500, 1000, 2500, 5000, 10000, 30000};
  static constexpr size_t kBuckets = kBoundsMs.size() + 1;

  void observe(std::chrono::steady_clock::duration elapsed);
  // Non-cumulative count of bucket `i` (i == kBoundsMs.size() is +Inf).
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum_seconds() const { return static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6; }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

struct EngineStats {
  using Counter = std::atomic<uint64_t>;

  // Outgoing requests (one per Outbox::request, whatever the fan-out) and envelopes sent
  // for them (one per destination).
  Counter requests_out{0};
  Counter request_envelopes_out{0};
  // Incoming requests that passed validation (before dedupe and dispatch).
  Counter requests_in{0};
  // Responses and error envelopes sent to remote twins (Outbox::reply, rmb.version,
  // validation errors).
  Counter replies_out{0};
  // Responses and errors received that matched a pending destination.
  Counter replies_in{0};
  // Replies for no pending request, or from a twin the request was not sent to.
  Counter replies_ignored{0};
  // Frames dropped: unparsable, failed validation, unsupported message, rmb.* unknown.
  Counter dropped{0};
  // Incoming requests suppressed as duplicates of one already delivered.
  Counter dedup_hits{0};
  // Of those, the ones answered again with the reply already given (reply cache).
  Counter replies_replayed{0};
  // Relay errors of a fan-out held until the deadline (they name no destination).
  Counter relay_errors_held{0};
  // Request envelopes sent again (same uid, same bytes) because no answer had come: after
  // a relay link dropped, or when the resend timer came due.
  Counter resends{0};
  // Destinations that got no answer before the deadline.
  Counter expired{0};
  // Frames the relay links refused (no link before the deadline).
  Counter send_failures{0};
  // Requests currently waiting for outcomes / incoming requests a service still owes.
  std::atomic<int64_t> pending{0};
  std::atomic<int64_t> incoming_in_flight{0};

  // Errors this gateway produced (local outcomes and error envelopes it sent), by code:
  // errors_by_code[i] counts kErrorCodes[i]; the last slot counts every other code.
  static constexpr std::array<uint32_t, 9> kErrorCodes = core::rmb_error::kAll;
  std::array<Counter, kErrorCodes.size() + 1> errors_by_code{};
  void count_error(uint32_t code);

  // Request -> outcome latency, per destination.
  LatencyHistogram latency;
};

}  // namespace rmb::gateway
