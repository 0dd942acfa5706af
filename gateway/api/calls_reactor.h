#pragma once
// Gateway.Calls: many calls on one bidirectional stream, each answered with its id
// (proto/rmb/api/v1/gateway.proto). What a unary Call does, without an HTTP/2 stream per call.
#include <grpcpp/grpcpp.h>

#include "gateway/front_door.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::gateway::api {

grpc::ServerBidiReactor<rmb::api::v1::StreamedCall, rmb::api::v1::StreamedReply>* start_calls(
    Outbox& outbox, grpc::CallbackServerContext* context);

}  // namespace rmb::gateway::api
