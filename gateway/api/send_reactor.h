#pragma once
// Gateway.Send: one request to many destinations, one SendResponse per destination in
// arrival order.
#include <grpcpp/grpcpp.h>

#include "gateway/front_door.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::gateway::api {

grpc::ServerWriteReactor<rmb::api::v1::SendResponse>* start_send(Outbox& outbox, grpc::CallbackServerContext* context,
                                                                 const rmb::api::v1::SendRequest* request);

}  // namespace rmb::gateway::api
