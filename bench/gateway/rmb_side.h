#pragma once
// The rmb side of the bench, spoken through rmb-peer's gRPC API (proto/rmb/api/v1):
//  - EchoService: a Serve stream on twin B's peer that answers every request with its
//    own payload;
//  - RmbCallers: closed-loop Gateway.Call's on twin A's peer to twin B, with the gRPC
//    callback API (no thread per caller);
//  - StreamCallers: the same calls multiplexed on one Gateway.Calls stream.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/gateway/closed_loop.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::bench {

class EchoService {
 public:
  // Registers `command` with `max_in_flight` and returns once the peer says Registered.
  static absl::StatusOr<std::unique_ptr<EchoService>> start(const std::string& address, const std::string& command,
                                                            uint32_t max_in_flight);
  ~EchoService();  // cancels the stream and joins its thread
  EchoService(const EchoService&) = delete;
  EchoService& operator=(const EchoService&) = delete;

  uint64_t served() const { return served_.load(); }

 private:
  EchoService() = default;
  void serve();

  std::unique_ptr<rmb::api::v1::Gateway::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<rmb::api::v1::ServeRequest, rmb::api::v1::ServeResponse>> stream_;
  std::thread thread_;
  std::atomic<uint64_t> served_{0};
};

class RmbCallers {
 public:
  RmbCallers(const std::string& address, uint32_t destination, const std::string& command, std::string payload,
             size_t callers);
  // ClosedLoop::Issue: one Call, deadline 30 s; ok when the reply carries the payload.
  void issue(size_t caller, ClosedLoop::Done done);

 private:
  struct Slot {
    // Two contexts used in turn: the next call starts inside the previous call's
    // callback, and a context is not destroyed while its own callback may still run.
    std::unique_ptr<grpc::ClientContext> contexts[2];
    unsigned turn = 0;
    rmb::api::v1::Reply reply;
  };
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rmb::api::v1::Gateway::Stub> stub_;
  rmb::api::v1::CallRequest request_;  // shared, read-only while calls run
  std::string payload_;
  std::vector<Slot> slots_;
};

// The same calls on one Gateway.Calls stream (one HTTP/2 stream for all callers, each
// caller's call numbered by the caller): what a high-rate app uses instead of unary Calls.
class StreamCallers final : public grpc::ClientBidiReactor<rmb::api::v1::StreamedCall, rmb::api::v1::StreamedReply> {
 public:
  StreamCallers(const std::string& address, uint32_t destination, const std::string& command, std::string payload,
                size_t callers);
  // Half-closes the stream and waits (at most 30 s) for the peer to end it.
  ~StreamCallers() override;
  // ClosedLoop::Issue: one call on the stream; ok when its answer carries the payload.
  void issue(size_t caller, ClosedLoop::Done done);

  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  void fail_all(const std::string& why);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rmb::api::v1::Gateway::Stub> stub_;
  grpc::ClientContext context_;
  rmb::api::v1::StreamedCall call_;  // the template; each queued call is a copy with its id
  std::string payload_;
  rmb::api::v1::StreamedReply in_;  // read reactions only

  std::mutex mu_;
  std::vector<ClosedLoop::Done> waiting_;          // by caller id; empty when none in flight
  std::deque<rmb::api::v1::StreamedCall> writes_;  // front: the write in flight
  bool writing_ = false;
  bool done_ = false;
  std::condition_variable ended_;
};

// The floor of the app <-> peer hop alone: closed-loop Gateway.Info calls on one peer (no
// relay, no crypto). Two of these hops are part of every rmb round trip.
class InfoCallers {
 public:
  InfoCallers(const std::string& address, size_t callers);
  void issue(size_t caller, ClosedLoop::Done done);

 private:
  struct Slot {
    std::unique_ptr<grpc::ClientContext> contexts[2];  // as RmbCallers::Slot
    unsigned turn = 0;
    rmb::api::v1::InfoResponse response;
  };
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rmb::api::v1::Gateway::Stub> stub_;
  rmb::api::v1::InfoRequest request_;
  std::vector<Slot> slots_;
};

}  // namespace rmb::bench
