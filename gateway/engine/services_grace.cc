// The moments after a start, when services have not registered again yet (their gRPC
// streams reconnect to a restarted rmb-peer, the Redis front door comes up at about the
// same time). A request for a command with no service of its own then waits, bounded in
// time and number, rather than going to the fallback (where a gRPC service would never see
// it) or being answered "no service" (an error its caller would not get a moment later).
#include <algorithm>

#include "core/obs/log.h"
#include "gateway/engine/engine_impl.h"

namespace rmb::gateway {

void Engine::Impl::start_grace() {
  if (options.service_grace.count() <= 0 || options.max_parked == 0) return;
  {
    std::lock_guard lock(parked_mu_);
    in_grace_ = true;
  }
  grace_timer_ = std::make_unique<boost::asio::steady_timer>(io, options.service_grace);
  grace_timer_->async_wait([weak = weak_from_this()](boost::system::error_code) {
    if (auto self = weak.lock(); self && !self->stopped) self->end_grace();
  });
}

bool Engine::Impl::park(const IncomingRequest& request) {
  std::lock_guard lock(parked_mu_);
  if (!in_grace_ || parked_.size() >= options.max_parked) return false;
  parked_.push_back(request);
  core::log(core::LogLevel::kDebug, "engine: ", "request ", request.uid, " for '", request.command,
            "' waits for its service to register (just started)");
  return true;
}

void Engine::Impl::service_added(const std::string& command) {
  std::vector<IncomingRequest> ready;
  {
    std::lock_guard lock(parked_mu_);
    if (parked_.empty()) return;
    auto split = std::stable_partition(parked_.begin(), parked_.end(),
                                       [&](const IncomingRequest& r) { return r.command != command; });
    ready.assign(std::make_move_iterator(split), std::make_move_iterator(parked_.end()));
    parked_.erase(split, parked_.end());
  }
  for (const auto& request : ready) offer_to_service(request, /*may_park=*/false);
}

void Engine::Impl::end_grace(bool offer) {
  std::vector<IncomingRequest> rest;
  {
    std::lock_guard lock(parked_mu_);
    in_grace_ = false;
    rest.swap(parked_);
  }
  if (!offer) return;
  if (!rest.empty()) {
    core::log(core::LogLevel::kInfo, "engine: ", rest.size(),
              " request(s) waited for a service that did not register in time; handled now");
  }
  for (const auto& request : rest) offer_to_service(request, /*may_park=*/false);
}

}  // namespace rmb::gateway
