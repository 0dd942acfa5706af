// Frames from the relays (PROTOCOL.md §8.7, §8.10) and replies to incoming requests (§8.8).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
#include "core/protocol/e2e/cipher.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/envelope/ttl.h"
#include "core/protocol/errors.h"
#include "gateway/engine/engine_impl.h"
#include "gateway/engine/relay_error_kind.h"

namespace rmb::gateway {
namespace {

core::AddressText address_of(const rmb::Address& address) {
  core::AddressText out;
  out.twin = address.twin();
  if (address.has_connection()) out.connection = address.connection();
  return out;
}

// Response envelopes expire 3600 s after now, clamped to 1800 (§8.8, §11).
constexpr uint64_t kReplyExpiration = 1800;
// rmb.version answers and "handle" failures use 300 s (§8.7 step 6, §8.10).
constexpr uint64_t kShortExpiration = 300;
// After a relay said it failed (not refused) a request: long enough for a Redis restart.
constexpr std::chrono::seconds kRetryAfterRelayFailure{1};

Outcome outcome_of(const rmb::Envelope& envelope, const core::AddressText& destination,
                   const core::AddressText& source) {
  Outcome o;
  o.uid = envelope.uid();
  o.destination = destination;
  o.source = source;
  o.origin = source.twin == 0 ? Outcome::Origin::kRelay : Outcome::Origin::kRemote;
  if (envelope.has_schema()) o.schema = envelope.schema();
  o.timestamp = envelope.timestamp();
  if (envelope.has_error()) {
    o.error = RmbError{envelope.error().code(), envelope.error().message()};
  } else {
    o.data = envelope.plain();
  }
  return o;
}

}  // namespace

void Engine::Impl::on_frame(std::string frame) {
  if (stopped) return;
  auto envelope = std::make_shared<rmb::Envelope>();
  if (!envelope->ParseFromString(frame)) {
    stats.dropped.inc();
    core::log(core::LogLevel::kWarn, "engine: ", "dropped a frame that is not an envelope (", frame.size(), " bytes)");
    return;
  }
  switch (envelope->message_case()) {
    case rmb::Envelope::kRequest:
    case rmb::Envelope::kResponse:
    case rmb::Envelope::kError:
      break;
    default:
      // Pongs answer pings this gateway never sends; anything else has nothing to do here.
      stats.dropped.inc();
      core::log(core::LogLevel::kDebug, "engine: ", "dropped envelope ", envelope->uid(),
                " without request/response/error");
      return;
  }

  if (core::is_expired(*envelope, options.now())) {
    reject(*envelope, core::rmb_error::kExpired, core::rmb_error::text(core::rmb_error::kExpired));
    return;
  }
  if (envelope->source().twin() == 0) {
    // A relay message: unsigned, never encrypted (§2.3, §5.5). Only errors come from relays;
    // a request claiming no source could not be answered anyway.
    if (envelope->has_request()) {
      stats.dropped.inc();
      core::log(core::LogLevel::kWarn, "engine: ", "dropped request ", envelope->uid(), " without a source twin");
      return;
    }
    dispatch(std::move(envelope));
    return;
  }
  validate_signed(std::move(envelope));
}

void Engine::Impl::validate_signed(std::shared_ptr<rmb::Envelope> envelope) {
  const uint32_t source = envelope->source().twin();
  twins.get_twin(source, [self = shared_from_this(), envelope = std::move(envelope),
                          source](absl::StatusOr<std::optional<core::Twin>> found) mutable {
    if (!found.ok()) {
      self->reject(*envelope, core::rmb_error::kOther,
                   core::rmb_error::text(core::rmb_error::kOther,
                                         absl::StrCat("failed to get twin information: ", found.status().message())));
      return;
    }
    if (!found->has_value()) {
      self->reject(*envelope, core::rmb_error::kUnknownTwin,
                   core::rmb_error::text(core::rmb_error::kUnknownTwin, std::to_string(source)));
      return;
    }
    const core::Twin& twin = **found;
    if (absl::Status verified = core::verify_envelope(*envelope, twin.account); !verified.ok()) {
      self->reject(*envelope, core::rmb_error::kInvalidSignature,
                   core::rmb_error::text(core::rmb_error::kInvalidSignature, verified.message()));
      return;
    }
    if (envelope->has_cipher()) {
      if (!twin.pk) {
        self->reject(*envelope, core::rmb_error::kNoPublicKey, core::rmb_error::text(core::rmb_error::kNoPublicKey));
        return;
      }
      if (!self->keys) {
        self->reject(
            *envelope, core::rmb_error::kE2e,
            core::rmb_error::text(core::rmb_error::kE2e, "this peer has no e2e key (its secret is a derivation URI)"));
        return;
      }
      auto shared = self->keys->get(*twin.pk);
      if (!shared.ok()) {
        self->reject(*envelope, core::rmb_error::kE2e,
                     core::rmb_error::text(core::rmb_error::kE2e, shared.status().message()));
        return;
      }
      auto plain = core::e2e_decrypt(*shared, core::as_bytes(envelope->cipher()));
      if (!plain.ok()) {
        self->reject(*envelope, core::rmb_error::kE2e,
                     core::rmb_error::text(core::rmb_error::kE2e, plain.status().message()));
        return;
      }
      envelope->set_plain(std::string(core::as_chars(*plain)));
    }
    self->dispatch(std::move(envelope));
  });
}

void Engine::Impl::reject(const rmb::Envelope& envelope, uint32_t code, std::string message) {
  stats.dropped.inc();
  core::log(core::LogLevel::kWarn, "engine: ", "rejected ", envelope.has_request() ? "request " : "reply ",
            envelope.uid(), " from ", core::format_address(envelope.source()), ": ", message);
  // §8.7 step 4: only requests are answered, with the original expiration and no clamp.
  if (!envelope.has_request() || envelope.source().twin() == 0) return;
  send_error(envelope, envelope.expiration(), code, std::move(message));
}

void Engine::Impl::dispatch(std::shared_ptr<rmb::Envelope> envelope) {
  if (envelope->has_request()) {
    handle_request(*envelope);
  } else {
    handle_reply(*envelope);
  }
}

void Engine::Impl::handle_reply(const rmb::Envelope& envelope) {
  const core::AddressText source = address_of(envelope.source());
  RelayError relay_error;
  std::optional<Clock::time_point> retry_at;
  if (source.twin == 0 && envelope.has_error()) {
    relay_error = RelayError{envelope.error().code(), envelope.error().message()};
    // With resends on, a relay's own failure (its Redis restarting, say) is not the
    // request's outcome: it goes again shortly, and the error is said only at the deadline.
    if (options.resend_after.count() > 0 && relay_error_is_transient(relay_error.message)) {
      retry_at = Clock::now() + kRetryAfterRelayFailure;
    }
  }
  auto matched = pending.claim_reply(envelope.uid(), source, relay_error, retry_at);
  switch (matched.match) {
    case PendingTable::Match::kMatched:
      break;
    case PendingTable::Match::kHeld:
      stats.relay_errors_held.inc();
      core::log(core::LogLevel::kDebug, "engine: ", "relay error for request ", envelope.uid(), " (", relay_error.code,
                " ", relay_error.message, ") held until its deadline: ",
                retry_at ? "the relay failed this attempt, the request goes again"
                         : "it names none of the destinations still owed");
      return;
    case PendingTable::Match::kNoRequest: {
      if (finished(envelope.uid())) {
        // Answered, expired or cancelled here already: a repeat (the request was sent
        // again and both copies were answered), never a second outcome.
        stats.replies_ignored.inc();
        core::log(core::LogLevel::kDebug, "engine: ", "ignored reply ", envelope.uid(), " from ",
                  core::format_address(envelope.source()), " for a request already settled");
        return;
      }
      std::shared_ptr<OrphanReplySink> orphans;
      {
        std::lock_guard lock(orphan_mu);
        orphans = orphan_sink;
      }
      if (orphans) {
        // Possibly the answer to a request sent before this process restarted: the front
        // door that sent it may still know where it goes (msgbus.backlog.<uid>).
        orphans->on_orphan_reply(outcome_of(envelope, source, source));
        return;
      }
      stats.replies_ignored.inc();
      core::log(core::LogLevel::kDebug, "engine: ", "reply ", envelope.uid(), " from ",
                core::format_address(envelope.source()), " for no pending request (expired or cancelled)");
      return;
    }
    case PendingTable::Match::kNotAsked:
      // The Rust peer takes any reply with a known uid; only the twins asked may answer here.
      stats.replies_ignored.inc();
      core::log(core::LogLevel::kWarn, "engine: ", "ignored reply ", envelope.uid(), " from twin ", source.twin,
                ", which the request was not sent to");
      return;
    case PendingTable::Match::kDuplicate:
      stats.replies_ignored.inc();
      core::log(core::LogLevel::kDebug, "engine: ", "ignored a second reply ", envelope.uid(), " from ",
                core::format_address(envelope.source()));
      return;
  }
  stats.replies_in.inc();
  const Claim& claim = *matched.claim;
  deliver(claim, outcome_of(envelope, claim.request->destinations[claim.index].address, source));
}

void Engine::Impl::handle_request(const rmb::Envelope& envelope) {
  stats.requests_in.inc();
  const core::AddressText source = address_of(envelope.source());
  const std::string& command = envelope.request().command();
  const std::string key = incoming_key(source, envelope.uid());
  const auto now = Clock::now();
  const int64_t ttl = std::max<int64_t>(core::ttl_remaining(envelope, options.now()), 1);
  const auto expires = now + std::chrono::seconds(std::min<int64_t>(ttl, options.dedupe_window.count()));

  {
    std::unique_lock lock(incoming_mu_);
    if (seen_.insert(key, expires, now) == ExpiringSet::Insert::kPresent) {
      stats.dedup_hits.inc();
      // The caller sent it again: its copy of the answer (or of the request) may have died
      // in a relay. Give the answer already given; while the service still works on it,
      // say nothing (its answer goes out when it comes).
      std::shared_ptr<const std::string> answer = replies_.get(key, now);
      lock.unlock();
      if (!answer) {
        core::log(core::LogLevel::kDebug, "engine: ", "repeated request ", envelope.uid(), " from ",
                  core::format_address(envelope.source()), " not delivered again (not answered yet)");
        return;
      }
      stats.replies_replayed.inc();
      core::log(core::LogLevel::kDebug, "engine: ", "repeated request ", envelope.uid(), " from ",
                core::format_address(envelope.source()), " answered again with the reply already given");
      links.send(std::move(answer), expires, [uid = envelope.uid()](absl::Status status) {
        if (!status.ok())
          core::log(core::LogLevel::kDebug, "engine: ", "repeated reply ", uid, " not sent: ", status.message());
      });
      return;
    }
  }

  if (command == "rmb.version") {
    answer_version(envelope, key);
    return;
  }
  if (absl::StartsWith(command, "rmb.")) {
    // §8.10: the built-in plugin drops the commands it does not know, with a log only
    // (a repeat of it is dropped as a duplicate).
    stats.dropped.inc();
    core::log(core::LogLevel::kInfo, "engine: ", "unknown built in command '", command, "' from ",
              core::format_address(envelope.source()), " dropped");
    return;
  }

  {
    std::lock_guard lock(incoming_mu_);
    if (in_flight_.insert(key, expires, now) == ExpiringSet::Insert::kFull) {
      seen_.erase(key);  // refused, not delivered: the same request may come again
      stats.incoming_in_flight.set(static_cast<int64_t>(in_flight_.size(now)));
      send_error(envelope, kShortExpiration, 0,
                 absl::StrCat("gateway is busy: ", options.max_incoming_in_flight,
                              " requests are waiting for an answer, try again later"));
      return;
    }
    stats.incoming_in_flight.set(static_cast<int64_t>(in_flight_.size(now)));
  }

  IncomingRequest incoming;
  incoming.uid = envelope.uid();
  incoming.source = source;
  incoming.command = command;
  incoming.data = envelope.plain();
  if (envelope.has_schema()) incoming.schema = envelope.schema();
  if (envelope.has_tags()) incoming.tags = envelope.tags();
  incoming.timestamp = envelope.timestamp();
  incoming.expiration = envelope.expiration();

  offer_to_service(incoming, /*may_park=*/true);
}

void Engine::Impl::offer_to_service(const IncomingRequest& incoming, bool may_park) {
  auto candidates = services.candidates(incoming.command);
  // Just after a start, a service may not have registered again yet: the request waits for
  // it (services_grace.cc) instead of going to the fallback or being refused.
  if (!candidates.has_service && may_park && park(incoming)) return;
  for (const auto& sink : candidates.sinks) {
    if (sink->offer(incoming)) return;
  }

  const std::string key = incoming_key(incoming.source, incoming.uid);
  {
    std::lock_guard lock(incoming_mu_);
    in_flight_.erase(key);
    stats.incoming_in_flight.set(static_cast<int64_t>(in_flight_.size(Clock::now())));
  }
  // The Rust peer queues every command in Redis whether or not anyone listens; here a
  // command nobody serves is answered at once (code 0, like other "handle" failures, §8.7
  // step 6), so the caller does not wait for its deadline.
  rmb::Envelope request;
  request.set_uid(incoming.uid);
  core::set_address(request.mutable_source(), incoming.source);
  if (incoming.tags) request.set_tags(*incoming.tags);
  send_error(request, kShortExpiration, 0,
             candidates.sinks.empty() ? absl::StrCat("no service for command '", incoming.command, "'")
                                      : absl::StrCat("service for command '", incoming.command, "' is busy"),
             key);
}

void Engine::Impl::answer_version(const rmb::Envelope& request, std::string cache_key) {
  auto envelope = std::make_shared<rmb::Envelope>();
  envelope->set_uid(request.uid());
  *envelope->mutable_destination() = request.source();
  envelope->set_expiration(kShortExpiration);
  envelope->set_schema("application/json");
  envelope->mutable_response();
  envelope->set_plain(nlohmann::json(options.version).dump());
  send_reply(std::move(envelope), "rmb.version answer", std::move(cache_key));
}

void Engine::Impl::send_error(const rmb::Envelope& request, uint64_t expiration, uint32_t code, std::string message,
                              std::string cache_key) {
  stats.count_error(code);
  auto envelope = std::make_shared<rmb::Envelope>();
  envelope->set_uid(request.uid());
  *envelope->mutable_destination() = request.source();
  envelope->set_expiration(expiration);
  auto* error = envelope->mutable_error();
  error->set_code(code);
  error->set_message(std::move(message));
  send_reply(std::move(envelope), "error reply", std::move(cache_key));
}

void Engine::Impl::send_reply(std::shared_ptr<rmb::Envelope> envelope, const std::string& what, std::string cache_key) {
  const std::string uid = envelope->uid();
  const std::string to = core::format_address(envelope->destination());
  write(std::move(envelope), [self = shared_from_this(), uid, to, what, cache_key = std::move(cache_key)](
                                 std::optional<RmbError> error, std::shared_ptr<const std::string> frame) {
    if (frame && !cache_key.empty()) {
      // Kept as long as the request is remembered: a repeat of it is answered with these bytes.
      const auto now = Clock::now();
      std::lock_guard lock(self->incoming_mu_);
      if (auto expires = self->seen_.expiry(cache_key, now)) self->replies_.put(cache_key, frame, *expires, now);
    }
    if (!error) {
      self->stats.replies_out.inc();
      return;
    }
    core::log(core::LogLevel::kWarn, "engine: ", what, " ", uid, " to ", to, " not sent: ", error->code, " ",
              error->message);
  });
}

void Engine::Impl::reply(const std::string& uid, const core::AddressText& destination, ServiceReply reply) {
  {
    std::lock_guard lock(incoming_mu_);
    in_flight_.erase(incoming_key(destination, uid));
    stats.incoming_in_flight.set(static_cast<int64_t>(in_flight_.size(Clock::now())));
  }
  auto envelope = std::make_shared<rmb::Envelope>();
  envelope->set_uid(uid);
  core::set_address(envelope->mutable_destination(), destination);
  envelope->set_timestamp(reply.timestamp);
  envelope->set_expiration(kReplyExpiration);
  if (reply.schema) envelope->set_schema(*reply.schema);
  if (reply.error) {
    stats.count_error(reply.error->code);
    envelope->mutable_error()->set_code(reply.error->code);
    envelope->mutable_error()->set_message(std::move(reply.error->message));
  } else {
    envelope->mutable_response();
    envelope->set_plain(std::move(reply.data));
  }
  // Encrypted and signed on the replying thread: a thread hand-off less on the latency path.
  send_reply(std::move(envelope), "reply", incoming_key(destination, uid));
}

}  // namespace rmb::gateway
