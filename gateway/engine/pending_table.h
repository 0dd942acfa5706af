#pragma once
// Outgoing requests waiting for their outcomes, keyed by uid, with the destinations still
// owed an answer. Each destination is claimed exactly once (by its reply, a local error or
// the deadline); the claim that settles the last one removes the request. Thread-safe.
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "core/protocol/envelope/address.h"

namespace rmb::gateway {

struct RequestDelivery;  // engine-side handlers of one request (engine_impl.h)

struct PendingDestination {
  using Clock = std::chrono::steady_clock;
  core::AddressText address;
  bool answered = false;  // its outcome is claimed
  // The signed envelope as it left through a relay link (null until then), kept to send
  // again (same bytes, same uid) until answered.
  std::shared_ptr<const std::string> frame;
  Clock::time_point next_resend = Clock::time_point::max();
  std::chrono::milliseconds resend_interval{0};
};

struct PendingRequest;
// Pending requests by deadline, for the one timer that expires them all.
using DeadlineIndex = std::multimap<std::chrono::steady_clock::time_point, PendingRequest*>;

// When an unanswered destination is sent again on the timer: `after` its first send, then
// at doubling intervals up to `max`. `after` 0: never on the timer.
struct ResendPolicy {
  std::chrono::milliseconds after{0};
  std::chrono::milliseconds max{0};
};

// An error envelope from a relay (source twin 0): it names no destination.
struct RelayError {
  uint32_t code = 0;
  std::string message;
};

struct PendingRequest {
  using Clock = std::chrono::steady_clock;
  std::string uid;
  std::vector<PendingDestination> destinations;  // guarded by the table's mutex
  size_t owed = 0;                               // guarded by the table's mutex
  // Relay errors that came while several destinations were unanswered (guarded by the
  // table's mutex; the owner's once removed): at the deadline they go to destinations that
  // got no reply, instead of "no reply before the deadline".
  std::vector<RelayError> relay_errors;
  Clock::time_point started{};
  Clock::time_point deadline{};
  std::shared_ptr<RequestDelivery> delivery;
  DeadlineIndex::iterator by_deadline;  // the table's, valid while the request is in it
};

// One settled destination.
struct Claim {
  std::shared_ptr<PendingRequest> request;
  size_t index = 0;
  bool last = false;  // no destination is owed any more: the request left the table
};

class PendingTable {
 public:
  using Clock = std::chrono::steady_clock;
  explicit PendingTable(size_t capacity, ResendPolicy resend = {}) : capacity_(capacity), resend_(resend) {}

  // RESOURCE_EXHAUSTED when `capacity` requests are pending; ALREADY_EXISTS for a uid in use.
  absl::Status add(std::shared_ptr<PendingRequest> request);

  // Settles destination `index` of `uid` (a local outcome); nullopt when it was settled
  // already or the request is gone.
  std::optional<Claim> claim(const std::string& uid, size_t index);

  enum class Match { kMatched, kNoRequest, kNotAsked, kDuplicate, kHeld };
  struct ReplyClaim {
    Match match = Match::kNoRequest;
    std::optional<Claim> claim;
  };
  // Settles the destination a reply from `source` answers: the destination with exactly
  // that address, else an unanswered one of the same twin. Twin 0 is a relay error
  // (`relay_error`), which names no destination: with one destination unanswered it settles
  // that one; with several it is held (kHeld) rather than guessed, so that no destination's
  // real reply is lost behind another's error, and given out at the deadline (remove()).
  // A transient relay error (`retry_at` set: the relay failed this attempt, not the
  // request) is held the same way whatever is owed, and the unanswered destinations are
  // sent again from `retry_at` on.
  ReplyClaim claim_reply(const std::string& uid, const core::AddressText& source, const RelayError& relay_error = {},
                         std::optional<Clock::time_point> retry_at = std::nullopt);

  // Destination `index` of `uid` left as `frame` at `now`; while unanswered it is sent again
  // as the ResendPolicy says.
  void mark_sent(const std::string& uid, size_t index, std::shared_ptr<const std::string> frame, Clock::time_point now);

  struct Resend {
    std::string uid;
    size_t index = 0;
    std::shared_ptr<const std::string> frame;
    Clock::time_point deadline;
  };
  // The unanswered, sent destinations whose resend time has come at `now` (each then waits
  // its doubled interval), or, with `all`, every unanswered sent destination (a link
  // dropped: whatever it carried may have died in the relay). Each resend is counted.
  std::vector<Resend> due_resends(Clock::time_point now, bool all);

  // Removes `uid` and returns the indices of its unanswered destinations (deadline, stop).
  struct Removed {
    std::shared_ptr<PendingRequest> request;
    std::vector<size_t> unanswered;
  };
  std::optional<Removed> remove(const std::string& uid);

  // One timer expires every pending request (a timer per request cost each call a timer
  // arm, a cancellation and a hand-off). The table keeps the time that timer is promised to
  // wake at, so that a deadline added concurrently with the timer firing is never missed.
  //
  // After add(): true when no wake-up is promised at or before `deadline`; the promise is
  // now `deadline`, and the caller must set the timer to wakeup().
  bool promise_wakeup(Clock::time_point deadline);
  // When the timer should fire: the promised wake-up (max: none).
  Clock::time_point wakeup() const;
  // The uids whose deadline is at or before `now` (still pending: remove() settles them);
  // the promise moves to the earliest later deadline (max when there is none).
  std::vector<std::string> due(Clock::time_point now);

  std::vector<std::string> uids() const;
  size_t size() const;

 private:
  Claim settle(const std::shared_ptr<PendingRequest>& request, size_t index);                 // mu_ held
  void erase(std::unordered_map<std::string, std::shared_ptr<PendingRequest>>::iterator it);  // mu_ held

  size_t capacity_;
  const ResendPolicy resend_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<PendingRequest>> requests_;
  DeadlineIndex deadlines_;                              // mu_
  Clock::time_point wakeup_ = Clock::time_point::max();  // mu_
};

}  // namespace rmb::gateway
