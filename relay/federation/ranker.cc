#include "relay/federation/ranker.h"

#include <algorithm>
#include <utility>

namespace rmb::relay {

Ranker::Ranker(std::chrono::seconds period, Clock clock)
    : period_(period.count() > 0 ? period : std::chrono::seconds(1)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      rng_(std::random_device{}()) {}

void Ranker::prune_locked(const std::string& domain, std::chrono::steady_clock::time_point now) {
  auto it = failures_.find(domain);
  if (it == failures_.end()) return;
  auto& times = it->second;  // ascending: downvotes are appended with a monotonic clock
  auto keep = std::find_if(times.begin(), times.end(), [&](auto t) { return now - t <= period_; });
  times.erase(times.begin(), keep);
  if (times.empty()) failures_.erase(it);
}

void Ranker::downvote(const std::string& domain) {
  std::lock_guard lock(mu_);
  auto now = clock_();
  failures_[domain].push_back(now);
  prune_locked(domain, now);
}

double Ranker::failure_rate(const std::string& domain) {
  std::lock_guard lock(mu_);
  prune_locked(domain, clock_());
  auto it = failures_.find(domain);
  if (it == failures_.end()) return 0.0;
  return static_cast<double>(it->second.size()) / (static_cast<double>(period_.count()) / 3600.0);
}

std::vector<std::string> Ranker::reorder(const std::set<std::string>& domains) {
  std::vector<std::pair<double, std::string>> ranked;
  ranked.reserve(domains.size());
  {
    std::lock_guard lock(mu_);
    auto now = clock_();
    for (const auto& d : domains) {
      prune_locked(d, now);
      auto it = failures_.find(d);
      double rate = it == failures_.end()
                        ? 0.0
                        : static_cast<double>(it->second.size()) / (static_cast<double>(period_.count()) / 3600.0);
      ranked.emplace_back(rate, d);
    }
    // Random order among equal rates (rmb-rs uses a random comparator, which std::sort
    // forbids): shuffle first, then a stable sort keeps the shuffled order of ties.
    std::shuffle(ranked.begin(), ranked.end(), rng_);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  out.reserve(ranked.size());
  for (auto& r : ranked) out.push_back(std::move(r.second));
  return out;
}

}  // namespace rmb::relay
