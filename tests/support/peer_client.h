#pragma once
// gRPC client helpers for tests of rmb-peer's API (rmb.api.v1.Gateway).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::test {

namespace apiv1 = rmb::api::v1;

std::shared_ptr<grpc::Channel> peer_channel(const std::string& address);
std::unique_ptr<apiv1::Gateway::Stub> peer_stub(const std::string& address);

// The RmbError in a status' binary details, if any.
std::optional<apiv1::RmbError> rmb_error_of(const grpc::Status& status);

struct CallResult {
  grpc::Status status;
  apiv1::Reply reply;
};
// Gateway.Call to `twin` with a deadline.
CallResult call_twin(apiv1::Gateway::Stub& stub, uint32_t twin, const std::string& command, const std::string& data,
                     std::chrono::milliseconds deadline = std::chrono::seconds(20));

// grpc.health.v1.Health/Check for `service` ("" = the server): the serving status
// (1 = SERVING, 2 = NOT_SERVING), or the call's error.
absl::StatusOr<int> health_check(const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "");
// The services the server lists through reflection (grpc.reflection.v1alpha).
absl::StatusOr<std::vector<std::string>> reflection_services(const std::shared_ptr<grpc::Channel>& channel);

// A Serve stream run by a thread: each request goes to `handler`, whose answer (if any)
// is sent back at once. nullopt leaves the request unanswered.
class ServeClient {
 public:
  using Handler = std::function<std::optional<apiv1::ServiceReply>(const apiv1::IncomingRequest&)>;

  // Registers `commands` and waits for Registered (error status if it does not come).
  static std::unique_ptr<ServeClient> start(const std::string& address, const std::vector<std::string>& commands,
                                            Handler handler, uint32_t max_in_flight = 0,
                                            grpc::Status* status = nullptr);
  ~ServeClient();

  // Requests received so far.
  size_t received() const { return received_.load(); }
  bool wait_received(size_t count, std::chrono::milliseconds timeout);
  // Drops the stream without answering (the client's context is cancelled).
  void cancel();
  // Half-closes the stream and waits for the server's final status.
  grpc::Status finish();

 private:
  ServeClient() = default;
  void read_loop();

  Handler handler_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<apiv1::Gateway::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<apiv1::ServeRequest, apiv1::ServeResponse>> stream_;
  std::mutex write_mu_;
  std::thread reader_;
  std::atomic<size_t> received_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool registered_ = false;
  bool ended_ = false;
  bool finished_ = false;
  grpc::Status final_status_;
};

}  // namespace rmb::test
