#include "gateway/engine/service_table.h"

#include <algorithm>

namespace rmb::gateway {

void ServiceTable::add(const std::string& command, std::shared_ptr<RequestSink> sink) {
  if (!sink) return;
  std::lock_guard lock(mu_);
  auto& sinks = services_[command].sinks;
  if (std::find(sinks.begin(), sinks.end(), sink) == sinks.end()) sinks.push_back(std::move(sink));
}

void ServiceTable::remove(const std::string& command, const RequestSink* sink) {
  std::lock_guard lock(mu_);
  const auto it = services_.find(command);
  if (it == services_.end()) return;
  auto& sinks = it->second.sinks;
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(), [&](const auto& s) { return s.get() == sink; }), sinks.end());
  if (sinks.empty()) services_.erase(it);
}

void ServiceTable::set_fallback(std::shared_ptr<RequestSink> sink) {
  std::lock_guard lock(mu_);
  fallback_ = std::move(sink);
}

ServiceTable::Candidates ServiceTable::candidates(const std::string& command) {
  Candidates out;
  std::lock_guard lock(mu_);
  const auto it = services_.find(command);
  if (it != services_.end() && !it->second.sinks.empty()) {
    auto& entry = it->second;
    const size_t n = entry.sinks.size();
    const size_t start = entry.next % n;
    entry.next = (start + 1) % n;
    out.sinks.reserve(n + 1);
    for (size_t i = 0; i < n; ++i) out.sinks.push_back(entry.sinks[(start + i) % n]);
    out.has_service = true;
  }
  if (fallback_) out.sinks.push_back(fallback_);
  return out;
}

}  // namespace rmb::gateway
