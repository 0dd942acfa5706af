#pragma once
// The Redis-queue front door of rmb-peer (PROTOCOL.md §8.3-§8.9): existing rmb-peer
// clients (Go, TypeScript, Python SDKs, redis-cli scripts) push requests to
// msgbus.system.local and replies to msgbus.system.reply, and pop incoming requests from
// msgbus.<cmd> and responses from their own `ret` lists. Started by rmb-peer when it is given
// --redis URL.
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/front_door.h"

namespace rmb::compat {

struct RedisFrontDoorOptions {
  // redis://[:password@]host:port[/db], or unix:///path/to/socket[?db=N]
  std::string url;
};

class RedisFrontDoor {
 public:
  virtual ~RedisFrontDoor() = default;
  // Stops popping, finishes what was popped (sent or answered with an error) and returns.
  virtual void stop() = 0;
};

// Starts the front door: it sends through `outbox`, and registers itself in `registry` as
// the fallback for commands no gRPC service serves. An unparsable URL is an error; an
// unreachable Redis is not (it connects, and reconnects, by itself, logging once per
// outage).
absl::StatusOr<std::unique_ptr<RedisFrontDoor>> start_redis_front_door(RedisFrontDoorOptions options,
                                                                      gateway::Outbox& outbox,
                                                                      gateway::ServiceRegistry& registry);

}  // namespace rmb::compat
