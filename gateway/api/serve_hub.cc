#include "gateway/api/serve_hub.h"

#include <algorithm>

namespace rmb::gateway::api {

void ServeHub::add(const std::string& command, const std::shared_ptr<RequestSink>& sink) {
  std::lock_guard lock(mu_);
  commands_[command].sinks.push_back(sink);
}

void ServeHub::remove(const std::string& command, const RequestSink* sink) {
  std::lock_guard lock(mu_);
  auto it = commands_.find(command);
  if (it == commands_.end()) return;
  auto& sinks = it->second.sinks;
  std::erase_if(sinks, [sink](const std::weak_ptr<RequestSink>& w) {
    auto s = w.lock();
    return !s || s.get() == sink;
  });
  if (sinks.empty()) commands_.erase(it);
}

bool ServeHub::offer(const IncomingRequest& request) {
  std::vector<std::shared_ptr<RequestSink>> order;
  {
    std::lock_guard lock(mu_);
    auto it = commands_.find(request.command);
    if (it == commands_.end()) return false;
    auto& entry = it->second;
    const size_t n = entry.sinks.size();
    for (size_t i = 0; i < n; ++i) {
      if (auto s = entry.sinks[(entry.next + i) % n].lock()) order.push_back(std::move(s));
    }
    entry.next = n == 0 ? 0 : (entry.next + 1) % n;
  }
  // Offered outside the lock: a sink takes its own stream's lock.
  for (const auto& sink : order) {
    if (sink->offer(request)) return true;
  }
  return false;
}

}  // namespace rmb::gateway::api
