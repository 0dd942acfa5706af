#pragma once
// The gRPC service rmb.api.v1.Gateway (callback API) over the front-door interfaces.
#include <functional>

#include <grpcpp/grpcpp.h>

#include "gateway/api/serve_hub.h"
#include "gateway/api/serve_reactor.h"
#include "gateway/front_door.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::gateway::api {

class GatewayService final : public rmb::api::v1::Gateway::CallbackService {
 public:
  // Answers Info; called on a gRPC thread for each Info call.
  using InfoProvider = std::function<rmb::api::v1::InfoResponse()>;

  // `outbox`, `registry` and `info` outlive the service (and the server running it).
  GatewayService(Outbox& outbox, ServiceRegistry& registry, InfoProvider info, ServeOptions options = {});

  grpc::ServerUnaryReactor* Call(grpc::CallbackServerContext* context, const rmb::api::v1::CallRequest* request,
                                 rmb::api::v1::Reply* reply) override;
  grpc::ServerBidiReactor<rmb::api::v1::StreamedCall, rmb::api::v1::StreamedReply>* Calls(
      grpc::CallbackServerContext* context) override;
  grpc::ServerWriteReactor<rmb::api::v1::SendResponse>* Send(grpc::CallbackServerContext* context,
                                                             const rmb::api::v1::SendRequest* request) override;
  grpc::ServerBidiReactor<rmb::api::v1::ServeRequest, rmb::api::v1::ServeResponse>* Serve(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* Info(grpc::CallbackServerContext* context, const rmb::api::v1::InfoRequest* request,
                                 rmb::api::v1::InfoResponse* response) override;

 private:
  Outbox& outbox_;
  ServiceRegistry& registry_;
  InfoProvider info_;
  ServeOptions options_;
  ServeHub hub_;
};

}  // namespace rmb::gateway::api
