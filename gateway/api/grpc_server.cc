#include "gateway/api/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "core/net/url.h"

namespace rmb::gateway::api {

absl::Status validate_listen_address(const std::string& listen) {
  if (listen.rfind("unix:", 0) == 0) {
    if (listen.size() == 5) return absl::InvalidArgumentError("listen address 'unix:' names no socket path");
    return absl::OkStatus();
  }
  core::HostPortRules rules;
  rules.allow_port_zero = true;  // any free port: address() reports the one chosen
  auto parsed = core::parse_host_port(listen, rules, "listen address");
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(parsed.status().message(), "; a listen address is host:port or unix:/path"));
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
