#include "tools/chaos/fault_injector.h"

#include <algorithm>
#include <cstdio>

#include "tools/command.h"

namespace rmb::tools::chaos {

FaultInjector::FaultInjector(std::vector<Fault> plan, Network& network, Ledger& ledger, RedisGate& gate, Log log)
    : plan_(std::move(plan)), network_(network), ledger_(ledger), gate_(gate), log_(std::move(log)) {}

FaultInjector::~FaultInjector() {
  abort();
  if (thread_.joinable()) thread_.join();
}

void FaultInjector::start() {
  thread_ = std::thread([this] { run(); });
}

bool FaultInjector::before_issue(uint64_t seq) {
  size_t last = plan_.size();
  for (size_t i = 0; i < plan_.size(); ++i) {
    if (plan_[i].trigger == seq) last = i;
  }
  std::unique_lock lock(mutex_);
  if (last == plan_.size()) return !aborted_;
  reached_ = std::max(reached_, seq + 1);
  cv_.notify_all();
  cv_.wait(lock, [&] { return struck_ > last || aborted_; });
  return !aborted_;
}

void FaultInjector::join() {
  if (thread_.joinable()) thread_.join();
}

void FaultInjector::abort() {
  std::lock_guard lock(mutex_);
  aborted_ = true;
  cv_.notify_all();
}

size_t FaultInjector::struck() const {
  std::lock_guard lock(mutex_);
  return struck_;
}

std::string FaultInjector::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void FaultInjector::strike(const Fault& fault) {
  switch (fault.kind) {
    case FaultKind::kRelayKill:
      ledger_.fault_started(fault, Clock::now());
      network_.kill_relay(fault.relay);
      break;
    case FaultKind::kRedisRestart:
      gate_.close();  // the soak's own Redis commands finish first (app_redis.h)
      ledger_.fault_started(fault, Clock::now());
      network_.stop_redis();
      break;
    case FaultKind::kCallerPeerKill:
    case FaultKind::kServicePeerKill:
      ledger_.fault_started(fault, Clock::now());
      network_.kill_peer(fault.twin);
      break;
  }
}

void FaultInjector::restore(const Fault& fault) {
  switch (fault.kind) {
    case FaultKind::kRelayKill:
      network_.start_relay(fault.relay);
      break;
    case FaultKind::kRedisRestart:
      network_.start_redis();
      gate_.open();
      break;
    case FaultKind::kCallerPeerKill:
    case FaultKind::kServicePeerKill:
      network_.start_peer(fault.twin);
      break;
  }
}

void FaultInjector::run() {
  for (size_t i = 0; i < plan_.size(); ++i) {
    const Fault& fault = plan_[i];
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return reached_ > fault.trigger || aborted_; });
      if (aborted_) return;
    }
    const auto at = Clock::now();
    try {
      strike(fault);
    } catch (const CliError& e) {
      std::lock_guard lock(mutex_);
      failure_ = std::string("while injecting '") + fault.name() + "': " + e.what();
      aborted_ = true;
      cv_.notify_all();
      return;
    }
    {
      std::lock_guard lock(mutex_);
      struck_ = i + 1;
      cv_.notify_all();
    }
    log_(fault.name() + " before request #" + std::to_string(fault.trigger) + "; down for " +
         std::to_string(fault.downtime.count()) + " ms");
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, fault.downtime, [&] { return aborted_; });
    }
    try {
      restore(fault);
    } catch (const CliError& e) {
      if (fault.kind == FaultKind::kRedisRestart) gate_.open();
      std::lock_guard lock(mutex_);
      failure_ = std::string("while restarting after '") + fault.name() + "': " + e.what();
      aborted_ = true;
      cv_.notify_all();
      return;
    }
    const auto ready = Clock::now();
    // The ledger's fault index is the plan's: faults are started strictly in order.
    ledger_.fault_ready(i, ready);
    char buf[64];
    std::snprintf(buf, sizeof buf, " back after %.2f s", std::chrono::duration<double>(ready - at).count());
    log_(fault.name() + buf);
  }
}

}  // namespace rmb::tools::chaos
