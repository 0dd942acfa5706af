#include "gateway/api/grpc_server.h"

#include <charconv>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

namespace rmb::gateway::api {

absl::Status validate_listen_address(const std::string& listen) {
  if (listen.rfind("unix:", 0) == 0) {
    if (listen.size() == 5) return absl::InvalidArgumentError("listen address 'unix:' names no socket path");
    return absl::OkStatus();
  }
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError("listen address '" + listen + "' is not host:port or unix:/path");
  }
  const std::string port = listen.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return absl::InvalidArgumentError("listen address '" + listen + "' has no valid port");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::start(const std::string& listen, grpc::Service* service,
                                                              size_t max_message_bytes) {
  if (auto status = validate_listen_address(listen); !status.ok()) return status;
  // Both process-wide switches must be set before the builder is made.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(max_message_bytes));
  auto out = std::unique_ptr<GrpcServer>(new GrpcServer());
  out->server_ = builder.BuildAndStart();
  if (!out->server_ || (listen.rfind("unix:", 0) != 0 && port == 0)) {
    return absl::UnavailableError("cannot listen for gRPC on '" + listen + "' (address in use or not valid)");
  }
  if (listen.rfind("unix:", 0) == 0) {
    out->address_ = listen;
  } else {
    out->address_ = listen.substr(0, listen.rfind(':') + 1) + std::to_string(port);
  }
  return out;
}

GrpcServer::~GrpcServer() { shutdown(std::chrono::milliseconds(0)); }

void GrpcServer::shutdown(std::chrono::milliseconds grace) {
  if (stopped_ || !server_) return;
  stopped_ = true;
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
}

}  // namespace rmb::gateway::api
