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
  RedisFrontDoorOptions() = default;
  // So that `{url}` keeps meaning "this URL, every other option at its default".
  RedisFrontDoorOptions(std::string url) : url(std::move(url)) {}  // NOLINT(google-explicit-constructor)

  // redis://[:password@]host:port[/db], or unix:///path/to/socket[?db=N]
  std::string url;
  // Appended (".<instance>") to the keys of this peer's own state (compat/inflight.h):
  // set it when several rmb-peers share one Redis database.
  std::string instance;
  // Replies for no request pending here (answers to requests sent before a restart)
  // whose msgbus.backlog lookup may be queued at once; more are dropped with a log line.
  size_t max_orphan_replies = 10000;
  // Messages one pop round trip may take from a queue (and make safe in one MULTI) while
  // more are waiting; 1 pops them one at a time.
  size_t pop_batch = 64;
};

class RedisFrontDoor {
 public:
  virtual ~RedisFrontDoor() = default;
  // Stops popping and stops waiting for requests in flight; what they still owe stays
  // recorded in Redis and is sent again by the next start on the same Redis.
  virtual void stop() = 0;
};

// Starts the front door: it sends through `outbox`, and registers itself in `registry` as
// the fallback for commands no gRPC service serves and (once it has re-sent what a
// previous run left in flight) as the sink of replies for no pending request. An
// unparsable URL is an error; an unreachable Redis is not (it connects, and reconnects,
// by itself, logging once per outage).
absl::StatusOr<std::unique_ptr<RedisFrontDoor>> start_redis_front_door(RedisFrontDoorOptions options,
                                                                       gateway::Outbox& outbox,
                                                                       gateway::ServiceRegistry& registry);

}  // namespace rmb::compat
