#include "gateway/link/dispatcher.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/net/tls_client.h"
#include "core/net/url.h"
#include "core/obs/log.h"
#include "core/util/clock.h"
#include "gateway/link/relay_link.h"

namespace rmb::gateway::link {

namespace net = boost::asio;
using Clock = RelayLinks::Clock;

Dispatcher::Dispatcher(net::io_context& io, LinkOptions options)
    : io_(io), options_(std::move(options)), strand_(net::make_strand(io)), sweep_timer_(strand_) {}

void Dispatcher::create_links() {
  // Loaded once for all wss:// links; an error stops those links only.
  absl::StatusOr<std::shared_ptr<net::ssl::context>> tls = std::shared_ptr<net::ssl::context>();
  bool any_tls = false;
  std::vector<absl::StatusOr<core::Url>> urls;
  for (const auto& text : options_.urls) {
    urls.push_back(core::parse_ws_url(text, "relay URL"));
    any_tls |= urls.back().ok() && urls.back()->tls;
  }
  if (any_tls) tls = core::make_tls_client_context(options_.ca_file);

  std::lock_guard lock(mu_);
  for (size_t i = 0; i < options_.urls.size(); ++i) {
    auto link = std::make_shared<RelayLink>(io_, i, options_.urls[i], std::move(urls[i]), tls, shared_from_this());
    Slot slot;
    slot.status.url = options_.urls[i];
    slot.status.last_error = link->permanent_error();
    if (!slot.status.last_error.empty()) slot.status.state = LinkStatus::State::kBackoff;
    slots_.push_back(std::move(slot));
    links_.push_back(std::move(link));
  }
}

void Dispatcher::start(RelayLinks::FrameHandler on_frame, RelayLinks::LinkEventHandler on_link) {
  std::vector<std::shared_ptr<RelayLink>> links;
  {
    std::lock_guard lock(mu_);
    if (started_ || stopped_) return;
    started_ = true;
    on_frame_ = std::move(on_frame);
    on_link_ = std::move(on_link);
    links = links_;
  }
  for (const auto& link : links) {
    if (const std::string error = link->permanent_error(); !error.empty()) {
      core::log_line(core::LogLevel::kError, absl::StrCat("relay link ", link->text(), " disabled: ", error));
    }
    link->start();
  }
}

void Dispatcher::stop() {
  std::vector<Outgoing> cancelled;
  std::vector<std::shared_ptr<RelayLink>> links;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& item : held_) cancelled.push_back(std::move(item));
    held_.clear();
    for (auto& slot : slots_) {
      if (slot.in_flight) cancelled.push_back(*std::move(slot.in_flight));
      slot.in_flight.reset();
      for (auto& item : slot.queue) cancelled.push_back(std::move(item));
      slot.queue.clear();
      slot.connected = false;
      slot.busy = false;
    }
    // The links hold the dispatcher: breaking the cycle here lets both go once their
    // last handler has run.
    links.swap(links_);
  }
  for (const auto& link : links) link->stop();
  net::post(strand_, [self = shared_from_this()] { self->sweep_timer_.cancel(); });
  for (auto& item : cancelled) item.done(absl::CancelledError("relay links stopped"));
  gate_.close();
}

void Dispatcher::send(std::shared_ptr<const std::string> frame, Clock::time_point deadline, RelayLinks::SendDone done) {
  Outgoing item{std::move(frame), deadline, std::move(done)};
  std::vector<size_t> kicks;
  absl::Status refused;
  bool rearm = false;
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      refused = absl::CancelledError("relay links stopped");
    } else if (auto placed = place_locked(item, last_good_, kicks)) {
      schedule_sweep_locked(deadline, rearm);
    } else if (held_.size() < std::max<size_t>(options_.queue_limit, 1)) {
      schedule_sweep_locked(deadline, rearm);
      hold_locked(std::move(item));
    } else {
      refused = absl::UnavailableError(
          absl::StrCat("relay link queues are full (", held_.size(), " frames waiting; tried: ", tried_locked(), ")"));
    }
  }
  if (!refused.ok()) {
    item.done(std::move(refused));
    return;
  }
  kick(kicks);
  if (rearm) net::post(strand_, [self = shared_from_this()] { self->rearm_sweep(); });
}

std::optional<size_t> Dispatcher::place_locked(Outgoing& item, size_t first, std::vector<size_t>& kick) {
  const size_t n = slots_.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t index = (first + i) % n;
    Slot& slot = slots_[index];
    if (!slot.connected || slot.queue.size() >= options_.queue_limit) continue;
    slot.queue.push_back(std::move(item));
    if (!slot.busy) {
      slot.busy = true;
      kick.push_back(index);
    }
    return index;
  }
  return std::nullopt;
}

void Dispatcher::hold_locked(Outgoing item) { held_.push_back(std::move(item)); }

void Dispatcher::fill_from_held_locked(size_t index) {
  Slot& slot = slots_[index];
  while (!held_.empty() && slot.queue.size() < options_.queue_limit) {
    slot.queue.push_back(std::move(held_.front()));
    held_.pop_front();
  }
}

void Dispatcher::schedule_sweep_locked(Clock::time_point deadline, bool& rearm) {
  if (deadline < sweep_at_) {
    sweep_at_ = deadline;
    rearm = true;
  }
}

void Dispatcher::kick(const std::vector<size_t>& indexes) {
  if (indexes.empty()) return;
  std::vector<std::shared_ptr<RelayLink>> links;
  {
    std::lock_guard lock(mu_);
    for (size_t i : indexes) {
      if (i < links_.size()) links.push_back(links_[i]);
    }
  }
  for (const auto& link : links) link->kick();
}

void Dispatcher::rearm_sweep() {
  Clock::time_point at;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    at = sweep_at_;
  }
  if (at == Clock::time_point::max()) {
    sweep_timer_.cancel();
    return;
  }
  sweep_timer_.expires_at(at);
  sweep_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->sweep();
  });
}

void Dispatcher::sweep() {
  CallbackGate::Pass pass(gate_);
  if (!pass) return;
  std::vector<std::pair<Outgoing, absl::Status>> expired;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    const auto now = Clock::now();
    auto next = Clock::time_point::max();
    const bool any_connected = any_connected_locked();
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->deadline <= now) {
        // What the engine reports as the reason the request could not go out.
        std::string why =
            any_connected
                ? absl::StrCat("no relay link took the frame before its deadline (queues full; tried: ", tried_locked(),
                               ")")
                : absl::StrCat("no relay link is connected (tried: ", tried_locked(), ")");
        expired.emplace_back(std::move(*it), absl::UnavailableError(std::move(why)));
        it = held_.erase(it);
      } else {
        next = std::min(next, it->deadline);
        ++it;
      }
    }
    for (auto& slot : slots_) {
      for (auto it = slot.queue.begin(); it != slot.queue.end();) {
        if (it->deadline <= now) {
          expired.emplace_back(std::move(*it),
                               absl::UnavailableError(absl::StrCat("relay link ", slot.status.url,
                                                                   " did not take the frame before its deadline (",
                                                                   slot.queue.size(), " frames queued)")));
          it = slot.queue.erase(it);
        } else {
          next = std::min(next, it->deadline);
          ++it;
        }
      }
    }
    sweep_at_ = next;
  }
  rearm_sweep();
  for (auto& [item, status] : expired) item.done(std::move(status));
}

std::string Dispatcher::tried_locked() const {
  std::vector<std::string> urls;
  for (const auto& slot : slots_) urls.push_back(slot.status.url);
  return urls.empty() ? "no relay URL configured" : absl::StrJoin(urls, ", ");
}

std::vector<LinkStatus> Dispatcher::status() const {
  std::lock_guard lock(mu_);
  std::vector<LinkStatus> out;
  for (const auto& slot : slots_) out.push_back(slot.status);
  return out;
}

bool Dispatcher::any_connected() const {
  std::lock_guard lock(mu_);
  return any_connected_locked();
}

bool Dispatcher::any_connected_locked() const {
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.connected; });
}

void Dispatcher::tell_link(size_t index, bool up, bool any_up) {
  CallbackGate::Pass pass(gate_);
  if (!pass || !on_link_) return;
  on_link_(index, up, any_up);
}

void Dispatcher::link_connecting(size_t index) {
  std::lock_guard lock(mu_);
  Slot& slot = slots_[index];
  slot.status.state = LinkStatus::State::kConnecting;
}

bool Dispatcher::link_connected(size_t index) {
  uint64_t reconnects = 0;
  bool pump = false;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return false;
    Slot& slot = slots_[index];
    slot.connected = true;
    slot.status.state = LinkStatus::State::kConnected;
    slot.status.connected_since = core::unix_now();
    slot.status.last_error.clear();
    if (slot.connections++ > 0) ++slot.status.reconnects;
    reconnects = slot.status.reconnects;
    fill_from_held_locked(index);
    if (!slot.queue.empty() && !slot.busy) {
      slot.busy = true;
      pump = true;
    }
  }
  // "now connected to relay" is rmb-rs's line, which operators' scripts wait for
  // (rmb-rs tools/rmb_tester/test_live_nodes.sh).
  core::log_line(core::LogLevel::kInfo,
                 absl::StrCat("now connected to relay ", options_.urls[index],
                              reconnects > 0 ? absl::StrCat(" (reconnect ", reconnects, ")") : ""));
  tell_link(index, true, true);
  return pump;
}

void Dispatcher::link_down(size_t index, const std::string& error) {
  std::vector<size_t> kicks;
  bool rearm = false;
  bool any_up = false;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    Slot& slot = slots_[index];
    slot.status.state = LinkStatus::State::kBackoff;
    slot.status.connected_since = 0;
    slot.status.last_error = error;
    if (!slot.connected) return;
    slot.connected = false;
    slot.busy = false;
    // Unwritten frames (and the one whose write did not complete) go to the other links,
    // oldest first, or wait for any link to come back.
    std::deque<Outgoing> orphans;
    if (slot.in_flight) orphans.push_back(*std::move(slot.in_flight));
    slot.in_flight.reset();
    for (auto& item : slot.queue) orphans.push_back(std::move(item));
    slot.queue.clear();
    for (auto& item : orphans) {
      schedule_sweep_locked(item.deadline, rearm);
      if (!place_locked(item, index + 1, kicks)) hold_locked(std::move(item));
    }
    any_up = any_connected_locked();
  }
  kick(kicks);
  if (rearm) net::post(strand_, [self = shared_from_this()] { self->rearm_sweep(); });
  tell_link(index, false, any_up);
}

std::shared_ptr<const std::string> Dispatcher::next_frame(size_t index) {
  std::lock_guard lock(mu_);
  if (stopped_) return nullptr;
  Slot& slot = slots_[index];
  if (!slot.connected) return nullptr;
  fill_from_held_locked(index);
  if (slot.queue.empty()) {
    slot.busy = false;
    return nullptr;
  }
  slot.busy = true;
  slot.in_flight = std::move(slot.queue.front());
  slot.queue.pop_front();
  return slot.in_flight->frame;
}

void Dispatcher::frame_written(size_t index) {
  CallbackGate::Pass pass(gate_);
  if (!pass) return;
  RelayLinks::SendDone done;
  {
    std::lock_guard lock(mu_);
    Slot& slot = slots_[index];
    if (!slot.in_flight) return;
    done = std::move(slot.in_flight->done);
    slot.in_flight.reset();
    last_good_ = index;
  }
  if (done) done(absl::OkStatus());
}

void Dispatcher::deliver(std::string frame) {
  CallbackGate::Pass pass(gate_);
  if (!pass) return;
  on_frame_(std::move(frame));
}

}  // namespace rmb::gateway::link
