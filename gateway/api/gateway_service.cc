#include "gateway/api/gateway_service.h"

#include "gateway/api/call_reactor.h"
#include "gateway/api/calls_reactor.h"
#include "gateway/api/send_reactor.h"

namespace rmb::gateway::api {

namespace v1 = rmb::api::v1;

GatewayService::GatewayService(Outbox& outbox, ServiceRegistry& registry, InfoProvider info, ServeOptions options)
    : outbox_(outbox), registry_(registry), info_(std::move(info)), options_(options) {}

grpc::ServerUnaryReactor* GatewayService::Call(grpc::CallbackServerContext* context, const v1::CallRequest* request,
                                               v1::Reply* reply) {
  return start_call(outbox_, context, request, reply);
}

grpc::ServerBidiReactor<v1::StreamedCall, v1::StreamedReply>* GatewayService::Calls(
    grpc::CallbackServerContext* context) {
  return start_calls(outbox_, context);
}

grpc::ServerWriteReactor<v1::SendResponse>* GatewayService::Send(grpc::CallbackServerContext* context,
                                                                 const v1::SendRequest* request) {
  return start_send(outbox_, context, request);
}

grpc::ServerBidiReactor<v1::ServeRequest, v1::ServeResponse>* GatewayService::Serve(grpc::CallbackServerContext*) {
  return start_serve(outbox_, registry_, hub_, options_);
}

grpc::ServerUnaryReactor* GatewayService::Info(grpc::CallbackServerContext* context, const v1::InfoRequest*,
                                               v1::InfoResponse* response) {
  *response = info_();
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace rmb::gateway::api
