#pragma once
// The echo services behind the service twins, in-process so that every request they see
// is recorded in the ledger (a duplicate to a service is then a fact, not a guess):
//   - EchoGrpcService: a Serve stream registering chaos.grpc, re-registered whenever the
//     stream breaks (its rmb-peer was killed), until stopped;
//   - EchoRedisWorker: BRPOP msgbus.chaos.redis, LPUSH the echo to msgbus.system.reply
//     (PROTOCOL.md §8.3-§8.4), as an rmb-rs app does.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "tools/chaos/app_redis.h"
#include "tools/chaos/ledger.h"

namespace rmb::tools::chaos {

// A channel to rmb-peer that reconnects within ~100 ms of its restart (gRPC's default
// backoff grows to 2 minutes, longer than a whole soak).
std::shared_ptr<grpc::Channel> peer_channel(const std::string& address);

class EchoGrpcService {
 public:
  EchoGrpcService(uint32_t twin, std::string peer_address, Ledger& ledger);
  ~EchoGrpcService();
  void start();
  void stop();
  // Times the stream was registered (the first, then one per rmb-peer restart).
  uint64_t registrations() const { return registrations_.load(); }

 private:
  void run();
  void serve_once();

  uint32_t twin_;
  std::string address_;
  Ledger& ledger_;
  std::shared_ptr<grpc::Channel> channel_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> registrations_{0};
  uint32_t peer_run_ = 0;  // of the rmb-peer the current stream registered with (run() thread)
  std::mutex mutex_;
  grpc::ClientContext* current_ = nullptr;  // to cancel on stop()
  std::thread thread_;
};

class EchoRedisWorker {
 public:
  EchoRedisWorker(uint32_t twin, std::string redis_url, RedisGate& gate, Ledger& ledger);
  ~EchoRedisWorker();
  void start();
  void stop();

 private:
  void run();

  uint32_t twin_;
  std::string url_;
  RedisGate& gate_;
  Ledger& ledger_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace rmb::tools::chaos
