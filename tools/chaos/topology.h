#pragma once
// The shape of the network `rmb chaos` builds, and the routes its requests take.
//
//   relay A (Redis db 0)  <-- federation over http -->  relay B (Redis db 1)
//     twin 1: caller (gRPC + Redis front door)             twin 2: caller (gRPC + Redis)
//     twin 3: service (gRPC echo + Redis echo worker)      twin 4: service (gRPC + Redis)
//
// A route is (caller twin, the caller's front door, service twin, the service's kind): 16
// in all, half of them local to one relay (1->3, 2->4), half federated (1->4, 2->3). Twin 1
// is the caller-side peer the soak kills once, twin 4 the service-side one.
#include <cstdint>
#include <string>
#include <vector>

namespace rmb::tools::chaos {

enum class Door { kGrpc, kRedis };         // how the caller reaches its rmb-peer
enum class ServiceKind { kGrpc, kRedis };  // a gRPC Serve stream, or a Redis msgbus.<cmd> worker

inline constexpr char kGrpcCommand[] = "chaos.grpc";
inline constexpr char kRedisCommand[] = "chaos.redis";
inline constexpr char kRetList[] = "chaos.ret";  // each caller twin's Redis `ret` list

const char* command_for(ServiceKind kind);
const char* door_name(Door door);
const char* kind_name(ServiceKind kind);

struct TwinSpec {
  uint32_t id = 0;
  char relay = 'A';  // 'A' or 'B'
  bool caller = false;
  bool service = false;
};

struct Route {
  size_t index = 0;
  uint32_t caller = 0;
  Door door = Door::kGrpc;
  uint32_t service = 0;
  ServiceKind kind = ServiceKind::kGrpc;
  bool federated = false;
  // "1>4 grpc->redis fed"
  std::string name() const;
};

struct Topology {
  std::vector<TwinSpec> twins;
  std::vector<Route> routes;
  uint32_t killed_caller = 0;   // the caller-side peer killed once
  uint32_t killed_service = 0;  // the service-side peer killed once

  const TwinSpec& twin(uint32_t id) const;
  char relay_of(uint32_t twin) const { return this->twin(twin).relay; }
};

Topology make_topology();

}  // namespace rmb::tools::chaos
