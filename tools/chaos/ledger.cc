#include "tools/chaos/ledger.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <functional>

namespace rmb::tools::chaos {
namespace {

double ms_between(TimePoint from, TimePoint to) { return std::chrono::duration<double, std::milli>(to - from).count(); }

std::string seconds_since(TimePoint start, TimePoint at) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%.3f s", ms_between(start, at) / 1000.0);
  return buf;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// What a person chasing one request needs: where it went, what the services saw, when.
std::string describe(uint64_t seq, const RequestRecord& r, const Topology& topology, TimePoint start) {
  std::string out = "#" + std::to_string(seq) + " " + topology.routes[r.route].name() + ", " +
                    std::to_string(r.attempts) + " attempt(s), sent " + seconds_since(start, r.first_start);
  if (r.result != Result::kPending) out += ", ended " + seconds_since(start, r.end);
  if (!r.detail.empty()) out += ": " + r.detail;
  if (r.deliveries.empty()) {
    out += "; no service saw it";
  } else {
    out += "; services saw it:";
    for (const auto& d : r.deliveries) {
      out += " [twin " + std::to_string(d.service) + " attempt " + std::to_string(d.attempt) + " " +
             seconds_since(start, d.at) + " peer run " + std::to_string(d.peer_run) + " uid " + d.uid + "]";
    }
  }
  if (!r.uid.empty()) out += "; answer uid " + r.uid;
  return out;
}

}  // namespace

std::string make_payload(uint64_t seq, uint32_t attempt, const std::string& route, size_t size) {
  std::string out = "chaos " + std::to_string(seq) + "." + std::to_string(attempt) + " " + route + " ";
  // Filler that differs per attempt, so a payload mixed up with another is noticed even
  // past its header.
  uint64_t x = splitmix64((seq << 8) ^ attempt);
  static constexpr char kHex[] = "0123456789abcdef";
  while (out.size() < size) {
    out.push_back(kHex[x & 15]);
    x = (x & 15) == 0 ? splitmix64(x) : x >> 4;
  }
  return out;
}

bool parse_payload(const std::string& payload, uint64_t* seq, uint32_t* attempt) {
  unsigned long long s = 0;
  unsigned a = 0;
  int used = 0;
  if (std::sscanf(payload.c_str(), "chaos %llu.%u %n", &s, &a, &used) != 2 || used == 0) return false;
  *seq = s;
  *attempt = a;
  return true;
}

RepeatCount classify_repeats(std::vector<Delivery> deliveries) {
  RepeatCount out;
  std::sort(deliveries.begin(), deliveries.end(), [](const Delivery& a, const Delivery& b) { return a.at < b.at; });
  for (size_t k = 1; k < deliveries.size(); ++k) {
    const bool across = deliveries[k].peer_run > deliveries[k - 1].peer_run;
    ++(across ? out.across_own_peer_crash : out.unexplained);
  }
  return out;
}

Ledger::Ledger(uint64_t requests, const Topology& topology) : topology_(topology), records_(requests) {}

void Ledger::begin(uint64_t seq, size_t route, uint32_t attempt, TimePoint at) {
  std::lock_guard lock(stripe(seq));
  auto& r = records_.at(seq);
  if (!r.issued) {
    r.issued = true;
    r.route = route;
    r.first_start = at;
  }
  r.attempts = std::max(r.attempts, attempt + 1);
  r.last_start = at;
  if (r.outcomes.size() < r.attempts) r.outcomes.resize(r.attempts, 0);
}

void Ledger::finish(uint64_t seq, Result result, std::string detail, std::string uid, TimePoint at) {
  {
    std::lock_guard lock(stripe(seq));
    auto& r = records_.at(seq);
    r.result = result;
    r.detail = std::move(detail);
    r.uid = std::move(uid);
    r.end = at;
  }
  ++finished_;
  if (result != Result::kOk) ++not_ok_;
}

uint32_t Ledger::outcome_arrived(uint64_t seq, uint32_t attempt) {
  ++activity_;
  if (seq >= records_.size()) {
    stray("an outcome for request #" + std::to_string(seq) + ", beyond the run's " + std::to_string(records_.size()));
    return 0;
  }
  std::lock_guard lock(stripe(seq));
  auto& r = records_.at(seq);
  if (r.outcomes.size() <= attempt) r.outcomes.resize(attempt + 1, 0);
  return ++r.outcomes[attempt];
}

void Ledger::delivered(uint64_t seq, const Delivery& delivery) {
  ++activity_;
  if (seq >= records_.size()) {
    stray("a service got request #" + std::to_string(seq) + ", beyond the run's " + std::to_string(records_.size()));
    return;
  }
  std::lock_guard lock(stripe(seq));
  records_[seq].deliveries.push_back(delivery);
}

void Ledger::stray(const std::string& what) {
  ++activity_;
  std::lock_guard lock(mutex_);
  ++stray_count_;
  if (strays_.size() < 20) strays_.push_back(what);
}

size_t Ledger::fault_started(const Fault& fault, TimePoint at) {
  std::lock_guard lock(mutex_);
  faults_.push_back({fault, affected_routes(fault, topology_), at, std::nullopt});
  return faults_.size() - 1;
}

void Ledger::fault_ready(size_t index, TimePoint at) {
  std::lock_guard lock(mutex_);
  faults_.at(index).ready = at;
}

bool Ledger::peer_killed_between(uint32_t twin, TimePoint from, TimePoint to) const {
  std::lock_guard lock(mutex_);
  return std::any_of(faults_.begin(), faults_.end(), [&](const FaultRecord& f) {
    const bool peer = f.fault.kind == FaultKind::kCallerPeerKill || f.fault.kind == FaultKind::kServicePeerKill;
    return peer && f.fault.twin == twin && f.at >= from && f.at <= to;
  });
}

bool Ledger::peer_back(uint32_t twin) const {
  std::lock_guard lock(mutex_);
  return std::all_of(faults_.begin(), faults_.end(), [&](const FaultRecord& f) {
    const bool peer = f.fault.kind == FaultKind::kCallerPeerKill || f.fault.kind == FaultKind::kServicePeerKill;
    return !peer || f.fault.twin != twin || f.ready.has_value();
  });
}

uint32_t Ledger::peer_run(uint32_t twin) const {
  std::lock_guard lock(mutex_);
  return static_cast<uint32_t>(std::count_if(faults_.begin(), faults_.end(), [&](const FaultRecord& f) {
    const bool peer = f.fault.kind == FaultKind::kCallerPeerKill || f.fault.kind == FaultKind::kServicePeerKill;
    return peer && f.fault.twin == twin;
  }));
}

uint64_t Ledger::finished() const { return finished_.load(); }
uint64_t Ledger::not_ok() const { return not_ok_.load(); }
uint64_t Ledger::activity() const { return activity_.load(); }

Summary Ledger::summarize(TimePoint start, size_t max_examples) const {
  Summary s;
  std::vector<FaultRecord> faults;
  {
    std::lock_guard lock(mutex_);
    faults = faults_;
    s.strays = stray_count_;
    s.stray_examples = strays_;
  }
  for (const auto& route : topology_.routes) s.routes.push_back({route.name()});
  // Per fault and affected route: the earliest answer to a request sent after the fault.
  std::vector<std::map<size_t, TimePoint>> first_after(faults.size());
  LatencyStats latency;
  std::vector<std::pair<double, uint64_t>> slowest;  // (ms, seq), a min-heap of the top few
  constexpr size_t kSlowest = 5;
  auto add_example = [&](std::vector<Example>& to, uint64_t seq, const RequestRecord& r) {
    if (to.size() < max_examples) to.push_back({seq, describe(seq, r, topology_, start)});
  };

  for (uint64_t seq = 0; seq < records_.size(); ++seq) {
    std::lock_guard lock(stripe(seq));
    const RequestRecord& r = records_[seq];
    if (!r.issued) continue;
    const Route& route = topology_.routes[r.route];
    RouteRow& row = s.routes[r.route];
    ++s.sent;
    ++row.sent;
    switch (r.result) {
      case Result::kPending:
        ++s.pending;
        add_example(s.lost_examples, seq, r);
        break;
      case Result::kOk:
        ++s.answered_ok;
        ++row.ok;
        latency.add(ms_between(r.first_start, r.end));
        slowest.emplace_back(ms_between(r.first_start, r.end), seq);
        std::push_heap(slowest.begin(), slowest.end(), std::greater<>());
        if (slowest.size() > kSlowest) {
          std::pop_heap(slowest.begin(), slowest.end(), std::greater<>());
          slowest.pop_back();
        }
        for (size_t i = 0; i < faults.size(); ++i) {
          if (r.last_start < faults[i].at) continue;
          auto [it, fresh] = first_after[i].emplace(r.route, r.end);
          if (!fresh && r.end < it->second) it->second = r.end;
        }
        break;
      case Result::kWrong:
        ++s.wrong;
        ++row.wrong;
        add_example(s.wrong_examples, seq, r);
        break;
      case Result::kError:
        ++s.errors;
        ++row.errors;
        ++s.error_kinds[r.detail.substr(0, 120)];
        add_example(s.error_examples, seq, r);
        break;
      case Result::kLost:
        ++s.lost;
        ++row.lost;
        add_example(s.lost_examples, seq, r);
        break;
    }
    if (r.attempts > 1) {
      ++s.reissued;
      const bool first_seen =
          std::any_of(r.deliveries.begin(), r.deliveries.end(), [](const Delivery& d) { return d.attempt == 0; });
      const bool later_seen =
          std::any_of(r.deliveries.begin(), r.deliveries.end(), [](const Delivery& d) { return d.attempt > 0; });
      if (first_seen && later_seen) ++s.reissued_service_saw_both;
    }
    bool misdelivered = false;
    for (const auto& d : r.deliveries) misdelivered |= d.service != route.service;
    if (misdelivered) {
      ++s.wrong;
      if (s.wrong_examples.size() < max_examples) {
        s.wrong_examples.push_back({seq, "delivered to the wrong twin: " + describe(seq, r, topology_, start)});
      }
    }
    bool dup = false, allowed = false;
    for (uint32_t a = 0; a < r.attempts; ++a) {
      std::vector<Delivery> of_attempt;
      for (const auto& d : r.deliveries) {
        if (d.attempt == a) of_attempt.push_back(d);
      }
      const RepeatCount repeats = classify_repeats(std::move(of_attempt));
      s.service_dups += repeats.unexplained;
      s.service_dups_own_peer_crash += repeats.across_own_peer_crash;
      dup |= repeats.unexplained > 0;
      allowed |= repeats.across_own_peer_crash > 0;
      if (a < r.outcomes.size() && r.outcomes[a] > 1) {
        s.app_dups += r.outcomes[a] - 1;
        add_example(s.app_dup_examples, seq, r);
      }
    }
    if (dup) add_example(s.dup_examples, seq, r);
    if (allowed) add_example(s.allowed_dup_examples, seq, r);
  }
  s.latency = latency.summary();
  std::sort(slowest.begin(), slowest.end(), std::greater<>());
  for (const auto& [ms, seq] : slowest) {
    std::lock_guard lock(stripe(seq));
    char took[32];
    std::snprintf(took, sizeof took, "%.0f ms: ", ms);
    s.slowest.push_back({seq, took + describe(seq, records_[seq], topology_, start)});
  }

  for (size_t i = 0; i < faults.size(); ++i) {
    const auto& f = faults[i];
    FaultRow row;
    row.name = f.fault.name();
    row.at_s = ms_between(start, f.at) / 1000.0;
    row.routes = f.routes.size();
    if (f.ready) row.downtime_ms = ms_between(f.at, *f.ready);
    std::optional<TimePoint> all_back = f.at;
    for (size_t route : f.routes) {
      auto it = first_after[i].find(route);
      if (it == first_after[i].end()) {
        all_back.reset();
        break;
      }
      all_back = std::max(*all_back, it->second);
    }
    if (all_back) row.recovery_ms = ms_between(f.at, *all_back);
    s.faults.push_back(row);
  }
  return s;
}

}  // namespace rmb::tools::chaos
