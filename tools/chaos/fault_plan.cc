#include "tools/chaos/fault_plan.h"

#include <algorithm>
#include <random>
#include <set>

namespace rmb::tools::chaos {

std::string Fault::name() const {
  switch (kind) {
    case FaultKind::kRelayKill:
      return std::string("relay ") + relay + " killed";
    case FaultKind::kRedisRestart:
      return "redis-server restarted";
    case FaultKind::kCallerPeerKill:
      return "caller twin " + std::to_string(twin) + "'s rmb-peer killed";
    case FaultKind::kServicePeerKill:
      return "service twin " + std::to_string(twin) + "'s rmb-peer killed";
  }
  return "?";
}

std::vector<Fault> make_fault_plan(const PlanOptions& options, const Topology& topology) {
  // mt19937_64 is specified to the bit; the draws below use only its raw output (the
  // standard distributions are not portable), so a seed means the same run everywhere.
  std::mt19937_64 rng(options.seed);
  auto below = [&rng](uint64_t n) { return n == 0 ? 0 : rng() % n; };

  std::vector<Fault> faults;
  for (uint32_t i = 0; i < options.relay_kills; ++i) {
    Fault f;
    f.kind = FaultKind::kRelayKill;
    f.relay = below(2) == 0 ? 'A' : 'B';
    faults.push_back(f);
  }
  if (options.redis_restart) faults.push_back({FaultKind::kRedisRestart, 0, 0, 0, {}});
  if (options.peer_kills) {
    faults.push_back({FaultKind::kCallerPeerKill, 0, topology.killed_caller, 0, {}});
    faults.push_back({FaultKind::kServicePeerKill, 0, topology.killed_service, 0, {}});
  }
  // Fisher-Yates with our own draws, for the same portability.
  for (size_t i = faults.size(); i > 1; --i) std::swap(faults[i - 1], faults[below(i)]);

  const uint64_t lo = options.requests * 5 / 100;
  const uint64_t hi = std::max<uint64_t>(lo + 1, options.requests * 85 / 100);
  std::set<uint64_t> triggers;
  // Distinct triggers while the window has room; a tiny run may share them.
  while (triggers.size() < faults.size() && triggers.size() < hi - lo) triggers.insert(lo + below(hi - lo));
  std::vector<uint64_t> sorted(triggers.begin(), triggers.end());
  while (sorted.size() < faults.size()) sorted.push_back(sorted.empty() ? lo : sorted.back());
  const auto max_ms = static_cast<uint64_t>(options.max_downtime.count());
  for (size_t i = 0; i < faults.size(); ++i) {
    faults[i].trigger = sorted[i];
    faults[i].downtime = std::chrono::milliseconds(below(max_ms + 1));
  }
  return faults;
}

std::vector<size_t> affected_routes(const Fault& fault, const Topology& topology) {
  std::vector<size_t> out;
  for (const auto& r : topology.routes) {
    bool hit = false;
    switch (fault.kind) {
      case FaultKind::kRelayKill:
        hit = topology.relay_of(r.caller) == fault.relay || topology.relay_of(r.service) == fault.relay;
        break;
      case FaultKind::kRedisRestart:
        hit = true;
        break;
      case FaultKind::kCallerPeerKill:
        hit = r.caller == fault.twin;
        break;
      case FaultKind::kServicePeerKill:
        hit = r.service == fault.twin;
        break;
    }
    if (hit) out.push_back(r.index);
  }
  return out;
}

}  // namespace rmb::tools::chaos
