#pragma once
// Gateway.Serve: a service registers commands, receives their requests and answers them on
// one bidirectional stream.
#include <grpcpp/grpcpp.h>

#include "gateway/api/serve_hub.h"
#include "gateway/front_door.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::gateway::api {

struct ServeOptions {
  uint32_t default_max_in_flight = 64;  // Registration.max_in_flight == 0
  uint32_t max_in_flight_cap = 10000;
};

grpc::ServerBidiReactor<rmb::api::v1::ServeRequest, rmb::api::v1::ServeResponse>* start_serve(Outbox& outbox,
                                                                                              ServiceRegistry& registry,
                                                                                              ServeHub& hub,
                                                                                              ServeOptions options);

}  // namespace rmb::gateway::api
