// At-least-once for outgoing requests (docs/reliability.md). A request envelope a relay
// link took may still die: in a relay that crashes before it routes or stores it, in a
// mailbox kept in memory, on the receiving twin's socket when its relay dies, or on the way
// back as a reply. Until its outcome comes, the same signed bytes (same uid) are written
// again: at once when a relay link drops (everything unanswered, since which link carried
// what says nothing about where it died), and on a timer (resend_after, then doubling up to
// resend_max) for losses no link here sees. The receiving gateway knows the (source, uid)
// and answers a repeat with the reply it already gave, so its service sees the request once.
#include <algorithm>

#include <boost/asio/post.hpp>

#include "core/obs/log.h"
#include "gateway/engine/engine_impl.h"

namespace rmb::gateway {
namespace {

// How often due resends are looked for: a fraction of resend_after, so that a resend is
// late by at most a quarter of its interval, and never busier than 10 times a second.
std::chrono::milliseconds tick_of(std::chrono::milliseconds resend_after) {
  return std::clamp(resend_after / 4, std::chrono::milliseconds(100), std::chrono::milliseconds(1000));
}

// Replies arriving this long after their request's deadline are still known as repeats
// (the caller's msgbus.backlog entry lives about as long as the request).
constexpr std::chrono::seconds kFinishedSlack{60};

}  // namespace

void Engine::Impl::start_resends() {
  if (options.resend_after.count() <= 0) return;
  boost::asio::post(resend_strand_, [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self || self->stopped) return;
    self->resend_timer_.expires_after(tick_of(self->options.resend_after));
    self->resend_timer_.async_wait([weak](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped) return;
      self->resend(false);
      self->start_resends();
    });
  });
}

void Engine::Impl::stop_resends() {
  boost::asio::post(resend_strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->resend_timer_.cancel();
  });
}

void Engine::Impl::on_link(size_t link, bool up, bool any_up) {
  if (stopped) return;
  if (!up) resend_on_link_up_ = true;
  // A frame handed to a link that is down waits in the links' hold list; sending again
  // only once some link is up keeps that list for new work.
  if (!any_up || !resend_on_link_up_.exchange(false)) return;
  core::log(core::LogLevel::kDebug, "engine: ", "relay link ", link, up ? " up" : " down",
            ": sending every unanswered request again");
  boost::asio::post(io, [weak = weak_from_this()] {
    if (auto self = weak.lock(); self && !self->stopped) self->resend(true);
  });
}

void Engine::Impl::resend(bool all) {
  auto due = pending.due_resends(Clock::now(), all);
  if (due.empty()) return;
  stats.resends.inc(due.size());
  core::log(core::LogLevel::kDebug, "engine: ", "sending ", due.size(), " unanswered request envelope(s) again",
            all ? " (a relay link dropped)" : "");
  for (auto& r : due) {
    links.send(std::move(r.frame), r.deadline, [uid = r.uid](absl::Status status) {
      // The request's own deadline settles it; a refused resend only means the next one
      // (or the deadline) decides.
      if (!status.ok())
        core::log(core::LogLevel::kDebug, "engine: ", "resend of ", uid, " not taken: ", status.message());
    });
  }
}

void Engine::Impl::remember_finished(const PendingRequest& request) {
  const auto now = Clock::now();
  std::lock_guard lock(finished_mu_);
  finished_.insert(request.uid, std::max(request.deadline, now) + kFinishedSlack, now);
}

bool Engine::Impl::finished(const std::string& uid) {
  std::lock_guard lock(finished_mu_);
  return finished_.contains(uid, Clock::now());
}

}  // namespace rmb::gateway
