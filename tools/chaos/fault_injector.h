#pragma once
// Carries out a fault plan against the network, one fault at a time, in its own thread.
// The worker about to issue a fault's trigger request waits until that fault has struck
// (the signal is sent); the others keep the load going. Each fault ends with its process
// started again and ready, before the next one may strike.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tools/chaos/app_redis.h"
#include "tools/chaos/fault_plan.h"
#include "tools/chaos/ledger.h"
#include "tools/chaos/network.h"

namespace rmb::tools::chaos {

class FaultInjector {
 public:
  using Log = std::function<void(const std::string&)>;
  FaultInjector(std::vector<Fault> plan, Network& network, Ledger& ledger, RedisGate& gate, Log log);
  ~FaultInjector();
  void start();
  // Called by a worker before issuing request `seq`; blocks while a fault triggered by
  // `seq` has not struck yet. False when the run is being aborted.
  bool before_issue(uint64_t seq);
  // Waits until every fault has been carried out and its process restarted.
  void join();
  void abort();
  size_t struck() const;
  size_t planned() const { return plan_.size(); }
  // Set when a restart failed: the run cannot go on.
  std::string failure() const;

 private:
  void run();
  void strike(const Fault& fault);
  void restore(const Fault& fault);

  std::vector<Fault> plan_;
  Network& network_;
  Ledger& ledger_;
  RedisGate& gate_;
  Log log_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  size_t struck_ = 0;     // faults whose signal was sent
  uint64_t reached_ = 0;  // highest trigger a worker is waiting on, + 1
  bool aborted_ = false;
  std::string failure_;
  std::thread thread_;
};

}  // namespace rmb::tools::chaos
