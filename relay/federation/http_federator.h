#pragma once
// Federator over HTTP(S) (PROTOCOL.md §6.1): `POST <scheme>://<domain>/` with the raw
// envelope bytes, 202 = delivered, 4xx = permanent "destination offline", anything else
// (other status, network error, timeout) = downvote and try the next domain; up to 3
// passes over the ranked domains; when all fail, retry every 3-5 s until the envelope
// expires. Runs on the caller's io_context; forward() may be called from any thread.
//
// Test/dev settings: `scheme = "http"` and domains of the form `127.0.0.1:8081` let two
// relays federate on one machine. Chain domains never carry a port or scheme (§6.2) and
// production federation is always `https://<domain>/` on port 443 with certificate
// verification.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "relay/federation/federator.h"
#include "relay/federation/ranker.h"

namespace rmb::relay {

// Reasons handed to the FailureHandler (texts of PROTOCOL.md §5.5).
inline constexpr char kFederationExpired[] = "message has expired";
inline constexpr char kFederationRejected[] = "remote relay rejected permanently: destination offline";
inline constexpr char kFederationQueueFull[] = "federation queue is full";

struct FederationOptions {
  std::string scheme = "https";   // "http" only for tests/dev
  size_t queue_limit = 10000;     // queued + in flight + waiting retry
  size_t queue_bytes = 64 << 20;  //   and their bytes (issue 11)
  size_t concurrency = 64;        // posts in flight at once
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{3000};
  std::chrono::milliseconds retry_min{3000};  // transient failure: next try after
  std::chrono::milliseconds retry_max{5000};  //   a random delay in [min, max]
  std::chrono::seconds idle_keepalive{300};   // reuse a connection this long
  std::string ca_file;                        // extra CAs, added to the system trust store
};

// Per relay domain, what `federation_message_success{relay}` and
// `federation_message_error{relay}` report. An error is one failed POST to that domain
// (status other than 202, network error or timeout).
struct DomainCounters {
  uint64_t success = 0;
  uint64_t error = 0;
};

// What one delivery attempt came to (attempt_once()).
enum class AttemptResult {
  kDone,     // accepted (202), or failed for good (4xx, expired) and reported to the sender
  kRetry,    // no relay of the twin answered: worth another attempt later
  kStopped,  // the federator is stopping: nothing was decided
};

struct FederationStats {
  std::map<std::string, DomainCounters> per_relay;
  uint64_t queue_overflows = 0;  // forward() refused because the queue was full
  uint64_t expired = 0;          // reported "message has expired"
  uint64_t rejected = 0;         // reported permanent 4xx failures
  size_t pending = 0;            // queued + in flight + waiting for a retry
};

class HttpFederator final : public Federator {
 public:
  // `ranker` must outlive the federator. `on_failure` runs on an `io` thread, never inside
  // forward(), and never after the federator is destroyed. All network work runs on one
  // strand of `io` (federation is a small share of the traffic; one strand keeps the
  // connection pool and the queue free of locks).
  HttpFederator(boost::asio::io_context& io, FederationOptions options, Ranker& ranker, FailureHandler on_failure);
  ~HttpFederator() override;  // pending messages are dropped without a failure report

  void forward(Frame frame, rmb::Envelope envelope, std::set<std::string> domains) override;

  // One delivery attempt (up to 3 passes over the ranked `domains`) outside the in-memory
  // queue, for a queue kept elsewhere (the Redis stream, redis_federator.h): no retry timer,
  // no queue limit. Expiry and permanent failures are reported through the FailureHandler
  // as for forward(). `done` runs once, on an `io` thread (kStopped if the federator is
  // destroyed first).
  void attempt_once(Frame frame, rmb::Envelope envelope, std::set<std::string> domains,
                    std::function<void(AttemptResult)> done);

  FederationStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace rmb::relay
