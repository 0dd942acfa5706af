#pragma once
// The apps that call, one per caller twin and front door:
//   - GrpcCaller: Gateway.Call on the twin's rmb-peer (wait_for_ready: a call made while
//     the peer is down waits for it, as a patient app would);
//   - RedisCaller: LPUSH a request (a) to msgbus.system.local with `ret` = chaos.ret and
//     `ref` = "<seq>.<attempt>"; one reader BRPOPs chaos.ret and hands each outcome (d) to
//     the waiting attempt, counting every outcome so that a second one is seen.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "rmb/api/v1/gateway.grpc.pb.h"
#include "tools/chaos/app_redis.h"
#include "tools/chaos/ledger.h"

namespace rmb::tools::chaos {

struct AttemptResult {
  Result result = Result::kPending;
  std::string detail;
  std::string uid;
  // The gRPC connection to the app's own rmb-peer broke under the call (no RMB error):
  // the app may send the request again once it knows its peer died.
  bool transport_failure = false;
};

// Classifies an answer: the attempt's own payload is kOk, anything else kWrong.
AttemptResult judge_answer(const std::string& payload, const std::string& data, std::string uid);

class GrpcCaller {
 public:
  GrpcCaller(uint32_t twin, std::string peer_address);
  AttemptResult call(const Route& route, const std::string& payload, uint32_t expiration_s);
  // Ends every call in progress and refuses new ones (an aborted run must not wait for
  // calls that wait_for_ready on a peer that will not come back).
  void cancel_all();

 private:
  uint32_t twin_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<api::v1::Gateway::Stub> stub_;
  std::mutex mutex_;
  bool cancelled_ = false;
  std::set<grpc::ClientContext*> active_;
};

class RedisCaller {
 public:
  RedisCaller(uint32_t twin, std::string redis_url, RedisGate& gate, Ledger& ledger);
  ~RedisCaller();
  void start();  // the ret reader
  void stop();

  // A connection for one worker thread's pushes.
  std::unique_ptr<AppRedis> push_connection(const std::atomic<bool>& stop);
  // One attempt: push, then wait for its first outcome until `expiration_s` + `grace_s`
  // after the push (or `abort`).
  AttemptResult call(AppRedis& push, uint64_t seq, uint32_t attempt, const Route& route, const std::string& payload,
                     uint32_t expiration_s, uint32_t grace_s, const std::atomic<bool>& abort);

 private:
  struct Outcome {
    std::string data, src, error;
    bool is_error = false;
  };
  struct Waiter {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<Outcome> outcome;
  };
  void read_outcomes();

  uint32_t twin_;
  std::string url_;
  RedisGate& gate_;
  Ledger& ledger_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, Waiter*> waiters_;  // by ref
  std::thread reader_;
};

}  // namespace rmb::tools::chaos
