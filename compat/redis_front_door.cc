#include "compat/redis_front_door.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/errors.h"
#include "compat/front_door_state.h"
#include "compat/inflight.h"
#include "compat/pop_loop.h"
#include "compat/pusher.h"
#include "compat/shapes.h"
#include "compat/translate.h"
#include "core/obs/log.h"
#include "core/protocol/envelope/address.h"
#include "core/protocol/envelope/ttl.h"
#include "core/redis/redis_url.h"
#include "core/util/clock.h"
#include "gateway/engine/uid.h"

namespace rmb::compat {
namespace front_door {

std::vector<Command> push_list(const std::string& list, std::string json) {
  return {Command{"LPUSH", list, std::move(json)}, Command{"LTRIM", list, "0", std::to_string(kListCap - 1)}};
}

std::string backlog_key(const std::string& uid) { return absl::StrCat(kBacklogPrefix, uid); }

bool write_batch(core::RedisConn& conn, PopBatch batch) {
  if (!batch.writes.empty()) append_writes(conn, batch);
  bool written = batch.writes.empty() || await_writes(conn, batch);
  if (batch.then) batch.then(written);
  return written;
}

// LRANGE <list> 0 -1 (newest first); nullopt when the connection broke.
std::optional<std::vector<std::string>> read_list(core::RedisConn& conn, const std::string& list) {
  auto r = conn.command({"LRANGE", list, "0", "-1"});
  if (!r.ok()) return std::nullopt;
  std::vector<std::string> out;
  if ((*r)->type != REDIS_REPLY_ARRAY) {
    core::log_warn("compat: ", absl::StrCat("LRANGE ", list, " did not return a list; not taken up"));
    return out;
  }
  for (size_t i = 0; i < (*r)->elements; ++i) {
    const redisReply* e = (*r)->element[i];
    if (e->type == REDIS_REPLY_STRING) out.emplace_back(e->str, e->len);
  }
  return out;
}

}  // namespace front_door
namespace {

using namespace std::chrono_literals;
using front_door::State;

// Incoming requests for commands no gRPC service serves -> msgbus.<cmd> (shape (b)).
class QueueSink : public gateway::RequestSink {
 public:
  explicit QueueSink(std::shared_ptr<State> state) : state_(std::move(state)) {}
  bool offer(const gateway::IncomingRequest& request) override {
    if (state_->closed) return false;
    return state_->deliver(request);
  }

 private:
  std::shared_ptr<State> state_;
};

class OrphanSink : public gateway::OrphanReplySink {
 public:
  explicit OrphanSink(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void on_orphan_reply(const gateway::Outcome& reply) override { state_->on_orphan(reply); }

 private:
  std::shared_ptr<State> state_;
};

class FrontDoor : public RedisFrontDoor {
 public:
  FrontDoor(const core::RedisUrl& url, const RedisFrontDoorOptions& options, gateway::Outbox& outbox,
            gateway::ServiceRegistry& registry)
      : state_(std::make_shared<State>(url, options, outbox, registry)),
        registry_(registry),
        sink_(std::make_shared<QueueSink>(state_)),
        orphans_(std::make_shared<OrphanSink>(state_)),
        // Requests and responses are popped by two loops, so neither waits behind the
        // other (rmb-rs pops both with one BRPOP, requests first).
        local_pop_(url, kLocalQueue, state_->keys.local_processing,
                   PopHandlers{[state = state_, orphans = orphans_](core::RedisConn& conn) {
                                 return state->on_local_connected(state, conn, orphans);
                               },
                               [state = state_](std::vector<std::string> payloads) {
                                 return state->on_requests(state, payloads);
                               }},
                   state_->outages, options.pop_batch),
        reply_pop_(
            url, kReplyQueue, state_->keys.reply_processing,
            PopHandlers{[state = state_](core::RedisConn& conn) { return state->on_reply_connected(conn); },
                        [state = state_](std::vector<std::string> payloads) { return state->on_replies(payloads); }},
            state_->outages, options.pop_batch) {
    registry_.set_fallback(sink_);
    local_pop_.start();
    reply_pop_.start();
    core::log_info("compat: ", absl::StrCat("redis front door on ", url.display()));
  }

  ~FrontDoor() override { stop(); }

  void stop() override {
    if (stopped_.exchange(true)) return;
    state_->closed = true;
    registry_.set_fallback(nullptr);
    local_pop_.request_stop();
    reply_pop_.request_stop();
    local_pop_.stop();
    reply_pop_.stop();
    // After the pop loop, which registers it once it has re-sent what was left in flight.
    registry_.set_orphan_reply_sink(nullptr);
    state_->cancel_all();
    // What was popped has been handed to the gateway; let the answers and backlogs queued
    // so far reach Redis (bounded, in case Redis is down).
    state_->pusher.stop(5s);
  }

 private:
  std::shared_ptr<State> state_;
  gateway::ServiceRegistry& registry_;
  std::shared_ptr<QueueSink> sink_;
  std::shared_ptr<OrphanSink> orphans_;
  PopLoop local_pop_;
  PopLoop reply_pop_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

absl::StatusOr<std::unique_ptr<RedisFrontDoor>> start_redis_front_door(RedisFrontDoorOptions options,
                                                                       gateway::Outbox& outbox,
                                                                       gateway::ServiceRegistry& registry) {
  auto url = core::parse_redis_url(options.url);
  if (!url.ok()) return url.status();
  return std::unique_ptr<RedisFrontDoor>(new FrontDoor(*url, options, outbox, registry));
}

}  // namespace rmb::compat