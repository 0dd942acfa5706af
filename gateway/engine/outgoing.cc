// Outgoing requests (PROTOCOL.md §8.5) and their outcomes.
#include <algorithm>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
#include "core/protocol/envelope/ttl.h"
#include "core/protocol/errors.h"
#include "gateway/engine/engine_impl.h"
#include "gateway/engine/uid.h"

namespace rmb::gateway {
namespace {

// Outcome code for a destination that did not answer in time: what the peer itself uses for
// "message has expired" (§8.9), so a caller sees the same code whether the request or its
// answer ran out of time.
constexpr uint32_t kExpiredCode = core::rmb_error::kExpired;

Outcome local_outcome(const PendingRequest& request, size_t index, RmbError error) {
  Outcome o;
  o.uid = request.uid;
  o.destination = request.destinations[index].address;
  o.origin = Outcome::Origin::kLocal;
  o.error = std::move(error);
  return o;
}

}  // namespace

absl::StatusOr<std::string> Engine::Impl::request(OutgoingRequest req, OutcomeHandler on_outcome, DoneHandler on_done) {
  if (req.destinations.empty()) return absl::InvalidArgumentError("a request needs at least one destination");
  if (req.command.empty()) return absl::InvalidArgumentError("a request needs a command");
  if (req.expiration == 0) return absl::InvalidArgumentError("expiration must be more than 0 seconds");
  for (const auto& d : req.destinations) {
    if (d.twin == 0) return absl::InvalidArgumentError("destination twin 0 is not a twin (it means the relay)");
  }
  if (stopped) return absl::UnavailableError("the gateway is stopping");

  auto base = std::make_shared<rmb::Envelope>();
  base->set_uid(req.uid && !req.uid->empty() ? *req.uid : new_uid());
  if (req.tags) base->set_tags(*req.tags);
  base->set_timestamp(req.timestamp);
  base->set_expiration(req.expiration);
  if (req.schema) base->set_schema(*req.schema);
  base->mutable_request()->set_command(req.command);
  base->set_plain(std::move(req.data));

  // §8.5 steps 4-5, then the per-destination clamp of step 7.2.
  const uint64_t now = options.now();
  core::stamp(*base, now);
  if (core::ttl_remaining(*base, now) <= 0) {
    return absl::DeadlineExceededError(absl::StrCat("request has expired: timestamp ", req.timestamp, " + expiration ",
                                                    req.expiration, " is not after now (", now, ")"));
  }
  base->set_expiration(core::clamp_ttl(base->expiration()));

  auto pending_request = std::make_shared<PendingRequest>();
  pending_request->uid = base->uid();
  for (auto& d : req.destinations) {
    // A destination listed twice would get two envelopes under one uid whose answers
    // cannot be told apart: it is sent once.
    const bool repeated = std::any_of(
        pending_request->destinations.begin(), pending_request->destinations.end(),
        [&](const PendingDestination& p) { return p.address.twin == d.twin && p.address.connection == d.connection; });
    if (!repeated) pending_request->destinations.emplace_back().address = std::move(d);
  }
  pending_request->started = Clock::now();
  pending_request->deadline = pending_request->started + std::chrono::seconds(base->expiration());
  auto delivery = std::make_shared<RequestDelivery>(io, pending_request->destinations.size());
  delivery->on_outcome = std::move(on_outcome);
  delivery->on_done = std::move(on_done);
  pending_request->delivery = delivery;

  if (absl::Status added = pending.add(pending_request); !added.ok()) return added;
  sync_pending_gauge();
  stats.requests_out.inc();
  // Watched before any envelope leaves: a reply settling the request first only leaves the
  // timer a request fewer to look at.
  watch_deadline(pending_request->deadline);

  const std::shared_ptr<const rmb::Envelope> shared_base = std::move(base);
  // One destination: the lookup (asynchronous on a cache miss), encryption and signing run
  // on the caller's thread, which saves a thread hand-off on the latency path. A fan-out is
  // spread over the I/O threads.
  if (pending_request->destinations.size() == 1) {
    send_to(pending_request, 0, shared_base);
    return pending_request->uid;
  }
  for (size_t i = 0; i < pending_request->destinations.size(); ++i) {
    boost::asio::post(io, [self = shared_from_this(), pending_request, i, shared_base] {
      self->send_to(pending_request, i, shared_base);
    });
  }
  return pending_request->uid;
}

void Engine::Impl::send_to(const std::shared_ptr<PendingRequest>& request, size_t index,
                           const std::shared_ptr<const rmb::Envelope>& base) {
  auto envelope = std::make_shared<rmb::Envelope>(*base);
  // The destination itself is immutable after add(); only its flags are guarded.
  core::set_address(envelope->mutable_destination(), request->destinations[index].address);
  write(std::move(envelope), [self = shared_from_this(), request, index](std::optional<RmbError> error,
                                                                         std::shared_ptr<const std::string> frame) {
    if (!error) {
      self->stats.request_envelopes_out.inc();
      self->pending.mark_sent(request->uid, index, std::move(frame), Clock::now());
      return;
    }
    core::log(core::LogLevel::kDebug, "engine: ", "request ", request->uid, " to ",
              core::format_address(request->destinations[index].address.twin,
                                   request->destinations[index].address.connection),
              " not sent: ", error->code, " ", error->message);
    if (auto claim = self->pending.claim(request->uid, index)) {
      self->stats.count_error(error->code);
      // Possibly still inside request() (a cached lookup and a refusing link answer at once).
      self->deliver(*claim, local_outcome(*request, index, std::move(*error)), Handoff::kPost);
    }
  });
}

void Engine::Impl::deliver(const Claim& claim, Outcome outcome, Handoff handoff) {
  stats.latency.observe(std::chrono::duration<double>(Clock::now() - claim.request->started).count());
  auto delivery = claim.request->delivery;
  if (claim.last) {
    remember_finished(*claim.request);
    sync_pending_gauge();
  }
  auto run = [delivery, outcome = std::move(outcome)]() mutable {
    if (delivery->cancelled) return;
    if (delivery->on_outcome) delivery->on_outcome(std::move(outcome));
    if (++delivery->delivered == delivery->total && delivery->on_done) delivery->on_done();
  };
  // A fan-out's outcomes may be settled on several threads at once: its strand orders them.
  // One destination's single outcome cannot race another, so the thread that settled it
  // runs it: one hand-off (and often a wake-up of another thread) less on each call.
  if (delivery->strand) {
    boost::asio::post(*delivery->strand, std::move(run));
  } else if (handoff == Handoff::kPost) {
    boost::asio::post(io, std::move(run));
  } else {
    run();
  }
}

void Engine::Impl::on_deadline(const std::string& uid, Handoff handoff) {
  auto removed = pending.remove(uid);
  if (!removed) return;
  remember_finished(*removed->request);
  sync_pending_gauge();
  // Relay errors held for a fan-out (pending_table.h) answer destinations that got no reply.
  const auto& relay_errors = removed->request->relay_errors;
  for (size_t i = 0; i < removed->unanswered.size(); ++i) {
    const size_t index = removed->unanswered[i];
    if (i < relay_errors.size()) {
      Outcome o = local_outcome(*removed->request, index, RmbError{relay_errors[i].code, relay_errors[i].message});
      o.origin = Outcome::Origin::kRelay;
      deliver(Claim{removed->request, index, false}, std::move(o), handoff);
      continue;
    }
    stats.expired.inc();
    stats.count_error(kExpiredCode);
    Outcome o = local_outcome(*removed->request, index, RmbError{kExpiredCode, "no reply before the deadline"});
    o.expired = true;
    deliver(Claim{removed->request, index, false}, std::move(o), handoff);
  }
}

void Engine::Impl::cancel(const std::string& uid) {
  auto removed = pending.remove(uid);
  if (!removed) return;
  remember_finished(*removed->request);
  sync_pending_gauge();
  removed->request->delivery->cancelled = true;
}

void Engine::Impl::expire_all() {
  // From stop(), on the thread that stops: outcomes still run on the I/O threads.
  for (const auto& uid : pending.uids()) on_deadline(uid, Handoff::kPost);
}

void Engine::Impl::sync_pending_gauge() { stats.pending.set(static_cast<int64_t>(pending.size())); }

}  // namespace rmb::gateway
