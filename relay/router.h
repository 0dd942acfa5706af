#pragma once
// Routing of envelopes (PROTOCOL.md §5.4, §5.5, §6.3): every binary frame a session
// sends, every envelope POSTed by another relay, every federation failure report. Holds
// no per-connection state; all entry points are thread-safe and never block (directory
// lookups complete through callbacks, possibly on another thread).
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/directory/substrate/expiring_cache.h"
#include "core/directory/twin_directory.h"
#include "relay/federation/federator.h"
#include "relay/mailbox/mailbox.h"
#include "relay/metrics.h"
#include "relay/rate_limiter.h"
#include "relay/session_registry.h"

namespace rmb::relay {

struct RouterOptions {
  std::set<std::string> domains;  // --domain: "is this twin on this relay"
  uint64_t mailbox_ttl = 3600;    // cap on how long mail waits, whatever the envelope says
  std::function<uint64_t()> now;  // unix seconds; default core::unix_now
  // Mail for a twin of this relay that is not connected makes the directory forget that
  // twin at most once per this long (0: never), so a twin that moved to another relay is
  // followed on a later message instead of when its cache entry expires.
  std::chrono::seconds twin_recheck{30};
  size_t twin_recheck_capacity = 100000;  // twins remembered as recently re-checked
};

class Router {
 public:
  using HttpReply = std::function<void(unsigned status, std::string body)>;

  // `limiter` and the federator (set_federator) are optional.
  Router(RouterOptions options, core::TwinDirectory& directory, SessionRegistry& sessions, Mailbox& mailbox,
         Metrics& metrics, RateLimiter* limiter);

  // Set once before traffic starts. Without one, envelopes for foreign twins get an
  // error envelope back ("federation is not configured on this relay").
  void set_federator(Federator* federator) { federator_ = federator; }

  // A binary frame from `sender`'s WebSocket. Returns false when the frame is not an
  // Envelope: the caller closes the connection ("invalid envelope", §5.4 step 1).
  bool route_from_session(const SessionId& sender, Frame frame);

  // POST / (§6.3). `reply` gets 202 "", 400 "bad request: ..." (not an envelope, no source
  // twin, no destination), 404 "unknown twin destination" / "destination offline", 421
  // when the destination twin's relays do not name this relay's --domain, 500 "twin lookup
  // failed: ..." / "switch error: ...".
  void route_federated(Frame frame, HttpReply reply);

  // Federator::FailureHandler: error envelope (destination unset, §5.5) back to the
  // original sender's session, only when the original was a request.
  void on_federation_failure(const rmb::Envelope& original, const std::string& reason);

  // To the local session if connected and not in back-pressure, else to the mailbox.
  void deliver(const SessionId& to, Frame frame, uint64_t expires_at, Mailbox::Done done);

  // When mail for this envelope stops being worth delivering: timestamp + expiration,
  // capped at now + mailbox TTL.
  uint64_t expiry_of(const rmb::Envelope& envelope) const;
  // Same for raw bytes (re-parsed); frames that do not parse get now + mailbox TTL.
  uint64_t expiry_of_frame(const std::string& frame) const;

 private:
  // Drops `envelope` for `reason` (metric label + log) and, if it is a request, sends the
  // §5.5 error envelope `text` to the session `reply_to`, addressed to it or (federation
  // failures) with the destination unset.
  void reject(const rmb::Envelope& envelope, const SessionId& reply_to, bool address_reply, std::string_view reason,
              std::string_view text);
  // `envelope` (the parsed `frame`, or nullptr when it was routed from its view) is only
  // borrowed: it is copied, or parsed from `frame`, when routing continues asynchronously.
  void route_to_twin(const SessionId& sender, const SessionId& to, Frame frame, const rmb::Envelope* envelope);
  void route_looked_up(const SessionId& sender, const SessionId& to, Frame frame,
                       std::shared_ptr<rmb::Envelope> envelope, const absl::StatusOr<std::optional<core::Twin>>& twin);
  bool is_ours(const core::Twin& twin) const;
  void accept_federated(Frame frame, const rmb::Envelope& envelope, HttpReply reply);
  // A local twin that is not connected got mail: have its directory entry re-read (rate
  // limited per twin by options_.twin_recheck).
  void recheck_offline(uint32_t twin);

  RouterOptions options_;
  core::TwinDirectory& directory_;
  SessionRegistry& sessions_;
  Mailbox& mailbox_;
  Metrics& metrics_;
  RateLimiter* limiter_;
  Federator* federator_ = nullptr;
  std::mutex recheck_mu_;
  core::ExpiringCache<uint32_t, bool> rechecked_;  // twins forgotten within twin_recheck
};

}  // namespace rmb::relay
