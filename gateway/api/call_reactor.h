#pragma once
// Gateway.Call: one request to one destination, answered with its reply or an error status.
#include <grpcpp/grpcpp.h>

#include "gateway/front_door.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::gateway::api {

grpc::ServerUnaryReactor* start_call(Outbox& outbox, grpc::CallbackServerContext* context,
                                     const rmb::api::v1::CallRequest* request, rmb::api::v1::Reply* reply);

}  // namespace rmb::gateway::api
