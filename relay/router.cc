#include "relay/router.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "core/obs/log.h"
#include "core/util/clock.h"
#include "relay/envelopes.h"
#include "relay/fail_fast.h"
#include "relay/route_view.h"

namespace rmb::relay {
namespace {

const char kNoFederator[] = "federation is not configured on this relay";

// Frames stored for a session stay usable by every holder without copies.
Frame make_frame(std::string bytes) { return std::make_shared<const std::string>(std::move(bytes)); }

// The envelope of a frame whose routing continues later: a copy of `borrowed` when the
// caller parsed it, else parsed from the frame (whose route view vouched that it parses).
std::shared_ptr<rmb::Envelope> own_envelope(const rmb::Envelope* borrowed, const std::string& frame) {
  if (borrowed) return std::make_shared<rmb::Envelope>(*borrowed);
  auto envelope = std::make_shared<rmb::Envelope>();
  envelope->ParseFromString(frame);
  return envelope;
}

// The envelope a frame is parsed into. Per thread and reused: parsing into a cleared
// message keeps its string buffers (uid, signature, schema, ...), so the common route
// (destination connected here) allocates no envelope at all. A nested use on the same
// thread (not expected; routing does not re-enter itself) gets a fresh one.
class ScratchEnvelope {
 public:
  ScratchEnvelope() {
    if (!in_use_) {
      in_use_ = true;
      envelope_ = &shared();
    } else {
      own_ = std::make_unique<rmb::Envelope>();
      envelope_ = own_.get();
    }
  }
  ~ScratchEnvelope() {
    if (!own_) in_use_ = false;
  }
  ScratchEnvelope(const ScratchEnvelope&) = delete;
  ScratchEnvelope& operator=(const ScratchEnvelope&) = delete;

  rmb::Envelope& operator*() { return *envelope_; }
  rmb::Envelope* operator->() { return envelope_; }

 private:
  static rmb::Envelope& shared() {
    thread_local rmb::Envelope envelope;
    return envelope;
  }
  static thread_local bool in_use_;
  rmb::Envelope* envelope_ = nullptr;
  std::unique_ptr<rmb::Envelope> own_;
};
thread_local bool ScratchEnvelope::in_use_ = false;

}  // namespace

Router::Router(RouterOptions options, core::TwinDirectory& directory, SessionRegistry& sessions, Mailbox& mailbox,
               Metrics& metrics, RateLimiter* limiter)
    : options_(std::move(options)),
      directory_(directory),
      sessions_(sessions),
      mailbox_(mailbox),
      metrics_(metrics),
      limiter_(limiter),
      rechecked_(std::max<size_t>(1, options_.twin_recheck_capacity),
                 std::max(options_.twin_recheck, std::chrono::seconds(1))) {
  if (!options_.now) options_.now = [] { return core::unix_now(); };
}

void Router::recheck_offline(uint32_t twin) {
  if (options_.twin_recheck.count() == 0) return;
  {
    std::lock_guard lock(recheck_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (rechecked_.get(twin, now)) return;
    rechecked_.put(twin, true, now);
  }
  directory_.forget(twin);
}

uint64_t Router::expiry_of(const rmb::Envelope& envelope) const {
  const uint64_t cap = options_.now() + options_.mailbox_ttl;
  // Saturating: a hostile timestamp + expiration must not wrap into the past.
  const uint64_t own = envelope.timestamp() > UINT64_MAX - envelope.expiration()
                           ? UINT64_MAX
                           : envelope.timestamp() + envelope.expiration();
  return std::min(own, cap);
}

uint64_t Router::expiry_of_frame(const std::string& frame) const {
  rmb::Envelope envelope;
  if (!envelope.ParseFromString(frame)) return options_.now() + options_.mailbox_ttl;
  return expiry_of(envelope);
}

void Router::deliver(const SessionId& to, Frame frame, uint64_t expires_at, Mailbox::Done done) {
  if (auto session = sessions_.find(to); session && session->deliver(frame)) {
    if (done) done(absl::OkStatus());
    return;
  }
  mailbox_.store(to, std::move(frame), expires_at, std::move(done));
}

void Router::reject(const rmb::Envelope& envelope, const SessionId& reply_to, bool address_reply,
                    std::string_view reason, std::string_view text) {
  metrics_.drops.with(reason).inc();
  core::log_info("drop ", reason, ": uid=", envelope.uid(), " from=", reply_to.to_string(), ": ", text);
  if (!envelope.has_request()) return;
  const uint64_t now = options_.now();
  std::optional<SessionId> destination;
  if (address_reply) destination = reply_to;
  Frame reply = make_frame(error_envelope(envelope.uid(), text, destination, now));
  const uint64_t expires_at = std::min(now + kErrorEnvelopeExpiration, now + options_.mailbox_ttl);
  deliver(reply_to, std::move(reply), expires_at, [this, reply_to](absl::Status status) {
    if (!status.ok()) {
      metrics_.drops.with("error_reply_failed").inc();
      core::log_warn("drop error_reply_failed: to=", reply_to.to_string(), ": ", status.message());
    }
  });
}

bool Router::route_from_session(const SessionId& sender, Frame frame) {
  const auto started = std::chrono::steady_clock::now();
  metrics_.message_rx.inc();
  metrics_.message_rx_bytes.inc(frame->size());

  // Most frames are routed from a view of their bytes (relay/route_view.h); the full
  // envelope is parsed when there is no view (and the view then taken from it), or on first
  // use by a branch that needs more (then it always parses: the view vouches for the bytes).
  std::optional<RouteView> view = read_route_view(*frame);
  ScratchEnvelope envelope;
  bool parsed = false;
  if (!view) {
    if (!envelope->ParseFromString(*frame)) {
      metrics_.drops.with("invalid_envelope").inc();
      core::log_info("drop invalid_envelope: from=", sender.to_string(), " (", frame->size(), " bytes)");
      return false;
    }
    parsed = true;
    view = route_view_of(*envelope);
  }
  auto full = [&]() -> rmb::Envelope& {
    if (!parsed) parsed = envelope->ParseFromString(*frame);
    return *envelope;
  };
  if (limiter_ && !limiter_->measure(sender.twin, frame->size(), options_.now())) {
    reject(full(), sender, true, "rate_limited", "exceeded rate limits, dropping message");
  } else if (!view->source_is(sender)) {
    reject(full(), sender, true, "wrong_source", "message wrong source");
  } else {
    if (view->message == rmb::Envelope::kPing) {
      ping_to_pong(full());
      frame = make_frame(envelope->SerializeAsString());
      view = route_view_of(*envelope);  // source and destination swapped
    }
    if (view->destination.twin == 0) {
      reject(full(), sender, true, "missing_destination", "message with missing destination");
    } else {
      const SessionId to = view->destination_session();
      route_to_twin(sender, to, std::move(frame), parsed ? &*envelope : nullptr);
    }
  }
  metrics_.route_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return true;
}

void Router::route_to_twin(const SessionId& sender, const SessionId& to, Frame frame, const rmb::Envelope* borrowed) {
  // §5.4 step 6: connected here -> straight to the session, no mailbox round trip.
  if (auto session = sessions_.find(to)) {
    if (session->deliver(frame)) return;
    // Back-pressure: the mailbox holds it until the session drains its queue.
    auto envelope = own_envelope(borrowed, *frame);
    mailbox_.store(to, std::move(frame), expiry_of(*envelope), [this, sender, to, envelope](absl::Status status) {
      if (!status.ok()) {
        reject(*envelope, sender, true, "route_error",
               core::cat("failed to route message to peer '", to.to_string(), "': ", status.message()));
      }
    });
    return;
  }
  auto envelope = own_envelope(borrowed, *frame);
  directory_.get_twin(to.twin, [this, sender, to, frame = std::move(frame), envelope = std::move(envelope)](
                                   absl::StatusOr<std::optional<core::Twin>> twin) mutable {
    route_looked_up(sender, to, std::move(frame), std::move(envelope), twin);
  });
}

bool Router::is_ours(const core::Twin& twin) const {
  return std::any_of(twin.relays.begin(), twin.relays.end(),
                     [this](const std::string& relay) { return options_.domains.count(relay) > 0; });
}

void Router::route_looked_up(const SessionId& sender, const SessionId& to, Frame frame,
                             std::shared_ptr<rmb::Envelope> envelope,
                             const absl::StatusOr<std::optional<core::Twin>>& twin) {
  if (!twin.ok()) {
    reject(*envelope, sender, true, "lookup_error", std::string(twin.status().message()));
    return;
  }
  if (!twin->has_value()) {
    reject(*envelope, sender, true, "unknown_twin", "unknown twin destination");
    return;
  }
  const core::Twin& found = **twin;
  if (found.relays.empty()) {
    reject(*envelope, sender, true, "relay_not_set", "relay info is not set for this twin");
    return;
  }
  if (!is_ours(found)) {
    if (federator_ == nullptr) {
      core::log_warn("no federator configured: cannot forward uid=", envelope->uid(), " to twin ", to.twin);
      reject(*envelope, sender, true, "no_federator", kNoFederator);
      return;
    }
    federator_->forward(std::move(frame), *envelope, found.relays);
    return;
  }
  if (envelope->has_tags() && has_fail_fast(envelope->tags())) {
    // Re-check: the session may have connected while the directory answered.
    if (auto session = sessions_.find(to); session && session->deliver(frame)) return;
    recheck_offline(to.twin);
    reject(*envelope, sender, true, "destination_offline", "destination offline");
    return;
  }
  // Not connected here: the mail waits, and the twin's record is re-read soon in case it
  // has moved to another relay (then the next message follows it).
  if (!sessions_.find(to)) recheck_offline(to.twin);
  deliver(to, std::move(frame), expiry_of(*envelope), [this, sender, to, envelope](absl::Status status) {
    if (!status.ok()) {
      directory_.forget(to.twin);
      reject(*envelope, sender, true, "route_error",
             core::cat("failed to route message to peer '", to.to_string(), "': ", status.message()));
    }
  });
}

void Router::route_federated(Frame frame, HttpReply reply) {
  auto envelope = std::make_shared<rmb::Envelope>();
  if (!envelope->ParseFromString(*frame)) {
    metrics_.drops.with("federation_bad_request").inc();
    core::log_info("drop federation_bad_request: POST / body of ", frame->size(), " bytes is not an envelope");
    reply(400, "bad request: failed to parse envelope");
    return;
  }
  // Issue 11 hardening of §6.3 (rmb-rs checks neither). Refusals are 4xx so that a sending
  // rmb-rs relay gives up at once (it reports "destination offline" to its sender).
  // A relay builds envelopes with no source (error replies, §5.5) only for its own twins;
  // none travels over federation, so one arriving here is forged.
  if (envelope->source().twin() == 0) {
    metrics_.drops.with("federation_relay_made").inc();
    core::log_info("drop federation_relay_made: uid=", envelope->uid(), ": source twin 0 over federation");
    reply(400, "bad request: envelopes without a source twin are not accepted over federation");
    return;
  }
  if (envelope->destination().twin() == 0) {
    metrics_.drops.with("federation_bad_request").inc();
    core::log_info("drop federation_bad_request: uid=", envelope->uid(), ": no destination");
    reply(400, "bad request: message with missing destination");
    return;
  }
  const uint32_t twin = envelope->destination().twin();
  directory_.get_twin(twin, [this, frame = std::move(frame), envelope,
                             reply = std::move(reply)](absl::StatusOr<std::optional<core::Twin>> found) mutable {
    if (!found.ok()) {
      // Transient: the sending relay tries again.
      core::log_warn("federation intake: twin ", envelope->destination().twin(),
                     " lookup failed: ", found.status().message());
      reply(500, core::cat("twin lookup failed: ", found.status().message()));
      return;
    }
    if (!found->has_value()) {
      metrics_.drops.with("federation_unknown_twin").inc();
      core::log_info("drop federation_unknown_twin: uid=", envelope->uid(), " to twin ",
                     envelope->destination().twin());
      reply(404, "unknown twin destination");
      return;
    }
    if (!is_ours(**found)) {
      // Only twins whose relay list names this relay are served here; anything else would
      // let anyone fill this relay's mailboxes for arbitrary twins. The sending relay read
      // the chain and thinks otherwise: our entry may be the stale one, re-read it next time.
      directory_.forget(envelope->destination().twin());
      metrics_.drops.with("federation_not_ours").inc();
      core::log_info("drop federation_not_ours: uid=", envelope->uid(), " to twin ", envelope->destination().twin(),
                     ", which does not use this relay");
      reply(421, "destination twin is not served by this relay");
      return;
    }
    accept_federated(std::move(frame), *envelope, std::move(reply));
  });
}

void Router::accept_federated(Frame frame, const rmb::Envelope& envelope, HttpReply reply) {
  const SessionId to = session_of(envelope.destination());
  if (envelope.has_tags() && has_fail_fast(envelope.tags()) && !sessions_.find(to)) {
    metrics_.drops.with("destination_offline").inc();
    core::log_info("drop destination_offline: federated uid=", envelope.uid(), " to=", to.to_string());
    reply(404, "destination offline");
    return;
  }
  metrics_.federation_rx.inc();
  deliver(to, std::move(frame), expiry_of(envelope), [this, reply = std::move(reply)](absl::Status status) {
    if (status.ok()) {
      reply(202, "");
    } else {
      metrics_.drops.with("route_error").inc();
      core::log_warn("drop route_error: federated envelope: ", status.message());
      reply(500, core::cat("switch error: ", status.message()));
    }
  });
}

void Router::on_federation_failure(const rmb::Envelope& original, const std::string& reason) {
  // The destination's relays did not take it: its cached record (relay list) may be out of
  // date, so the next message to it reads the chain again.
  directory_.forget(original.destination().twin());
  // §5.5: back to the original sender's session, destination unset.
  reject(original, session_of(original.source()), false, "federation_failed", reason);
}

}  // namespace rmb::relay
