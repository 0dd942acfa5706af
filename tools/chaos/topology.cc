#include "tools/chaos/topology.h"

#include <stdexcept>

namespace rmb::tools::chaos {

const char* command_for(ServiceKind kind) { return kind == ServiceKind::kGrpc ? kGrpcCommand : kRedisCommand; }
const char* door_name(Door door) { return door == Door::kGrpc ? "grpc" : "redis"; }
const char* kind_name(ServiceKind kind) { return kind == ServiceKind::kGrpc ? "grpc" : "redis"; }

std::string Route::name() const {
  return std::to_string(caller) + ">" + std::to_string(service) + " " + door_name(door) + "->" + kind_name(kind) +
         (federated ? " fed" : " local");
}

const TwinSpec& Topology::twin(uint32_t id) const {
  for (const auto& t : twins) {
    if (t.id == id) return t;
  }
  throw std::out_of_range("no twin " + std::to_string(id) + " in the chaos topology");
}

Topology make_topology() {
  Topology t;
  t.twins = {{1, 'A', true, false}, {2, 'B', true, false}, {3, 'A', false, true}, {4, 'B', false, true}};
  t.killed_caller = 1;
  t.killed_service = 4;
  for (const auto& caller : t.twins) {
    if (!caller.caller) continue;
    for (Door door : {Door::kGrpc, Door::kRedis}) {
      for (const auto& service : t.twins) {
        if (!service.service) continue;
        for (ServiceKind kind : {ServiceKind::kGrpc, ServiceKind::kRedis}) {
          Route r;
          r.index = t.routes.size();
          r.caller = caller.id;
          r.door = door;
          r.service = service.id;
          r.kind = kind;
          r.federated = caller.relay != service.relay;
          t.routes.push_back(r);
        }
      }
    }
  }
  return t;
}

}  // namespace rmb::tools::chaos
