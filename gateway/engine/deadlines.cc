// One timer for the deadlines of every pending request (PendingTable::promise_wakeup).
// Requests of one TTL arrive in deadline order, so a new request seldom moves the timer: the
// common call neither arms nor cancels a timer, and settles without a hand-off.
#include <boost/asio/post.hpp>

#include "gateway/engine/engine_impl.h"

namespace rmb::gateway {

void Engine::Impl::watch_deadline(Clock::time_point deadline) {
  if (!pending.promise_wakeup(deadline)) return;
  boost::asio::post(deadline_strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->set_deadline_timer();
  });
}

// On deadline_strand_: the timer follows the table's promise (which may have moved again
// since this was posted).
void Engine::Impl::set_deadline_timer() {
  const auto at = pending.wakeup();
  if (stopped || at == Clock::time_point::max()) {
    deadline_timer_.cancel();
    return;
  }
  deadline_timer_.expires_at(at);
  deadline_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;  // moved (a new wait is on) or stopped
    for (const auto& uid : self->pending.due(Clock::now())) self->on_deadline(uid);
    self->set_deadline_timer();
  });
}

void Engine::Impl::stop_deadline_timer() {
  boost::asio::post(deadline_strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->deadline_timer_.cancel();
  });
}

}  // namespace rmb::gateway
