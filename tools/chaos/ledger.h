#pragma once
// Everything a chaos run observes, from both ends of every request: what each caller sent
// and got back, what each service received, and when each fault struck. The accounting
// rules (docs/chaos.md) are applied afterwards by summarize(), from these facts alone.
//
// Names: a *request* is one unit of work (number `seq`, one route); an *attempt* is one
// send of it by the app. The app sends a request again (attempt 1, 2, ...) only when its
// own rmb-peer was killed under a gRPC call; each attempt has its own payload
// "chaos <seq>.<attempt> ...", so a service seeing a payload twice is a duplicate by the bus.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tools/chaos/fault_plan.h"
#include "tools/chaos/topology.h"
#include "tools/latency_stats.h"

namespace rmb::tools::chaos {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class Result {
  kPending,  // not finished (the run was interrupted)
  kOk,       // the echo came back with the attempt's own payload
  kWrong,    // an answer with some other payload
  kError,    // an error outcome (service, relay or gateway error)
  kLost,     // no outcome before the request expired
};

// The payload of one attempt: unique, parseable back to (seq, attempt), `size` bytes long
// (at least the header).
std::string make_payload(uint64_t seq, uint32_t attempt, const std::string& route, size_t size);
bool parse_payload(const std::string& payload, uint64_t* seq, uint32_t* attempt);

struct Delivery {
  uint32_t service = 0;  // the twin whose service got it
  uint32_t attempt = 0;
  std::string uid;
  TimePoint at;
  // Which run of the service twin's rmb-peer handed it over: 0 for the first process, n
  // after its n-th kill. A gRPC service knows it per Serve stream (registered with that
  // process); a Redis worker takes the current run when it pops.
  uint32_t peer_run = 0;
};

struct RequestRecord {
  bool issued = false;
  size_t route = 0;
  uint32_t attempts = 0;
  TimePoint first_start, last_start, end;
  Result result = Result::kPending;
  std::string detail;              // error text, or what came back instead of the payload
  std::string uid;                 // the envelope uid of the answer, when known
  std::vector<uint32_t> outcomes;  // per attempt: outcomes that reached the app
  std::vector<Delivery> deliveries;
};

struct FaultRecord {
  Fault fault;
  std::vector<size_t> routes;      // affected_routes()
  TimePoint at;                    // just before the signal was sent
  std::optional<TimePoint> ready;  // the restarted process answers again
};

// Repeated deliveries of one attempt to its service, split by cause. A repeat is "across a
// crash of the service's own rmb-peer" when a later run of that peer handed it over than
// the one that handed over the delivery before it: the restarted peer has no memory of
// having delivered the request (the one case issue 11 allows). Every other repeat is
// unexplained. (Runs, not clock times: a request the dying peer wrote just before its
// SIGKILL may be read by the service just after the kill was recorded.)
struct RepeatCount {
  uint64_t across_own_peer_crash = 0;
  uint64_t unexplained = 0;
};
RepeatCount classify_repeats(std::vector<Delivery> deliveries);

struct Example {
  uint64_t seq = 0;
  std::string text;  // one line: route, attempts, what the service saw, uid
};

struct FaultRow {
  std::string name;
  double at_s = 0;                    // since the first request
  double downtime_ms = 0;             // until the restarted process answered
  std::optional<double> recovery_ms;  // until every affected route answered a request sent after the fault
  size_t routes = 0;
};

struct RouteRow {
  std::string name;
  uint64_t sent = 0, ok = 0, lost = 0, errors = 0, wrong = 0;
};

struct Summary {
  uint64_t sent = 0, answered_ok = 0, lost = 0, errors = 0, wrong = 0, pending = 0;
  uint64_t reissued = 0;                     // requests the app sent again after its own peer died
  uint64_t reissued_service_saw_both = 0;    // ... whose service got both attempts
  uint64_t service_dups = 0;                 // unexplained repeats to a service (fail the run)
  uint64_t service_dups_own_peer_crash = 0;  // allowed repeats (see classify_repeats)
  uint64_t app_dups = 0;                     // extra outcomes of one attempt (fail the run)
  uint64_t strays = 0;                       // payloads/refs that are not the soak's (fail)
  LatencySummary latency;
  std::map<std::string, uint64_t> error_kinds;
  std::vector<RouteRow> routes;
  std::vector<FaultRow> faults;
  std::vector<Example> lost_examples, error_examples, wrong_examples, dup_examples, app_dup_examples,
      allowed_dup_examples;
  std::vector<Example> slowest;  // the slowest correct answers, slowest first
  std::vector<std::string> stray_examples;
  bool passed() const {
    return pending == 0 && answered_ok == sent && lost == 0 && errors == 0 && wrong == 0 && service_dups == 0 &&
           app_dups == 0 && strays == 0;
  }
};

class Ledger {
 public:
  Ledger(uint64_t requests, const Topology& topology);

  // The app starts attempt `attempt` of request `seq` on `route`.
  void begin(uint64_t seq, size_t route, uint32_t attempt, TimePoint at);
  // The request's final result (once per request).
  void finish(uint64_t seq, Result result, std::string detail, std::string uid, TimePoint at);
  // An outcome of (seq, attempt) reached the app; returns how many have so far (1 = first;
  // 0 for a request number beyond the run, recorded as a stray).
  uint32_t outcome_arrived(uint64_t seq, uint32_t attempt);
  // A service got the payload of (seq, attempt).
  void delivered(uint64_t seq, const Delivery& delivery);
  // Something arrived that is not one of ours (an unparseable payload, an unknown ref).
  void stray(const std::string& what);

  size_t fault_started(const Fault& fault, TimePoint at);
  void fault_ready(size_t index, TimePoint at);
  // Whether twin `twin`'s rmb-peer was killed in [from, to].
  bool peer_killed_between(uint32_t twin, TimePoint from, TimePoint to) const;
  // Whether every kill of twin `twin`'s rmb-peer so far has been followed by its restart.
  bool peer_back(uint32_t twin) const;
  // How many times twin `twin`'s rmb-peer was killed so far (Delivery::peer_run).
  uint32_t peer_run(uint32_t twin) const;

  uint64_t finished() const;
  uint64_t not_ok() const;
  // Deliveries plus outcomes so far: a settle loop waits until this stops moving.
  uint64_t activity() const;

  Summary summarize(TimePoint run_start, size_t max_examples = 20) const;

 private:
  std::mutex& stripe(uint64_t seq) const { return stripes_[seq % stripes_.size()]; }

  const Topology& topology_;
  std::vector<RequestRecord> records_;
  mutable std::array<std::mutex, 64> stripes_;
  mutable std::mutex mutex_;  // faults_, strays_
  std::vector<FaultRecord> faults_;
  std::vector<std::string> strays_;
  uint64_t stray_count_ = 0;
  std::atomic<uint64_t> finished_{0}, not_ok_{0}, activity_{0};
};

}  // namespace rmb::tools::chaos
