#pragma once
// The gRPC server of rmb-peer: the Gateway service, the standard health service and server
// reflection, on one listen address ("host:port", "[v6]:port" or "unix:/path").
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace rmb::gateway::api {

class GrpcServer {
 public:
  // `service` outlives the server. Port 0 picks a free port (see address()).
  static absl::StatusOr<std::unique_ptr<GrpcServer>> start(const std::string& listen, grpc::Service* service,
                                                           size_t max_message_bytes = 64 * 1024 * 1024);
  ~GrpcServer();

  // The address actually listened on (the chosen port when the flag said 0).
  const std::string& address() const { return address_; }
  // Cancels the calls still running after `grace` and waits for them to end.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

 private:
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  bool stopped_ = false;
};

// Checks the form of a --grpc-listen value (host:port with port 0-65535, or unix:/path).
absl::Status validate_listen_address(const std::string& listen);

}  // namespace rmb::gateway::api
