#include "compat/redis_front_door.h"

#include <atomic>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/errors.h"
#include "compat/log.h"
#include "compat/outage.h"
#include "compat/pop_loop.h"
#include "compat/pusher.h"
#include "compat/shapes.h"
#include "compat/translate.h"
#include "core/redis/redis_url.h"
#include "core/util/clock.h"

namespace rmb::compat {
namespace {

using namespace std::chrono_literals;

std::vector<Command> push_list(const std::string& list, std::string json) {
  return {Command{"LPUSH", list, std::move(json)},
          Command{"LTRIM", list, "0", std::to_string(kListCap - 1)}};
}

// One request in flight: where its answers go.
struct Pending {
  std::optional<std::string> ref;
  std::string ret;
  std::string uid;    // set once Outbox::request returned (under State::mu)
  bool done = false;  // on_done ran (under State::mu)
};

// Everything the gateway's callbacks touch. Shared with those callbacks, so a late callback
// after stop() finds a stopped pusher instead of freed memory.
struct State {
  State(core::RedisUrl url, gateway::Outbox& outbox)
      : outages(url.display()), pusher(PusherOptions{url}, outages), outbox(outbox) {}

  OutageLog outages;
  Pusher pusher;
  gateway::Outbox& outbox;
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<Pending>> in_flight;
  std::atomic<bool> closed{false};

  void push(const std::string& list, std::string json) {
    if (!pusher.push(push_list(list, std::move(json)))) {
      log_warn(absl::StrCat("write queue full or closed; an answer for '", list, "' is lost"));
    }
  }

  // One error per destination (at least one), so that callers which count answers per
  // destination are not left waiting either.
  void answer_error(const std::string& ret, const std::optional<std::string>& ref, size_t copies,
                    const gateway::RmbError& error) {
    std::string json = to_json(error_to_json(error, ref));
    std::vector<Command> commands;
    for (size_t i = 0; i < std::max<size_t>(copies, 1); ++i) {
      auto two = push_list(ret, json);
      commands.insert(commands.end(), std::make_move_iterator(two.begin()), std::make_move_iterator(two.end()));
    }
    if (!pusher.push(std::move(commands))) {
      log_warn(absl::StrCat("write queue full or closed; an error for '", ret, "' is lost"));
    }
  }

  void on_outcome(const Pending& p, const gateway::Outcome& outcome) {
    auto json = outcome_to_json(outcome, p.ref);
    if (!json) {
      log_debug(absl::StrCat("request ", outcome.uid, " to twin ", outcome.destination.twin,
                             " expired without an answer"));
      return;
    }
    push(p.ret, to_json(*json));
  }

  void on_done(const std::shared_ptr<Pending>& p) {
    std::lock_guard lock(mu);
    p->done = true;
    if (!p->uid.empty()) in_flight.erase(p->uid);
  }

  void on_request(std::shared_ptr<State> self, const std::string& payload) {
    RequestParse parsed = parse_request(payload);
    if (!parsed.request) {
      const RequestParseError& e = parsed.error;
      if (e.ret) {
        answer_error(*e.ret, e.ref, e.destinations, invalid_request_error(e.message));
      } else {
        log_warn(absl::StrCat(kLocalQueue, ": dropped a message that is not a request and names no 'ret' to answer (",
                              e.message, ")"));
      }
      return;
    }
    const RequestJson& json = *parsed.request;
    auto prepared = prepare_request(json, core::unix_now());
    if (auto* error = std::get_if<gateway::RmbError>(&prepared)) {
      answer_error(json.ret, json.ref, json.dst.size(), *error);
      return;
    }
    auto& ready = std::get<PreparedRequest>(prepared);
    auto pending = std::make_shared<Pending>();
    pending->ref = json.ref;
    pending->ret = json.ret;
    // Callbacks may run on gateway threads before request() even returns.
    auto uid = outbox.request(
        std::move(ready.request), [self, pending](gateway::Outcome o) { self->on_outcome(*pending, o); },
        [self, pending] { self->on_done(pending); });
    if (!uid.ok()) {
      answer_error(json.ret, json.ref, json.dst.size(), other_error(std::string(uid.status().message())));
      return;
    }
    {
      std::lock_guard lock(mu);
      pending->uid = *uid;
      if (!pending->done) in_flight.emplace(*uid, pending);
    }
    uint64_t ttl = backlog_ttl(ready.ttl);
    pusher.push({Command{"SETEX", absl::StrCat(kBacklogPrefix, *uid), std::to_string(ttl),
                         encode_backlog(*uid, json.ref, json.ret, ttl)}});
  }

  void on_reply(const std::string& payload) {
    auto json = parse_response(payload);
    if (!json.ok()) {
      log_warn(absl::StrCat(kReplyQueue, ": dropped a malformed response (", json.status().message(), ")"));
      return;
    }
    auto reply = prepare_reply(*json);
    if (!reply.ok()) {
      log_warn(absl::StrCat(kReplyQueue, ": dropped a response with an unusable 'dst' (",
                            reply.status().message(), ")"));
      return;
    }
    if (reply->warning) log_warn(absl::StrCat(kReplyQueue, ": ", *reply->warning));
    outbox.reply(reply->uid, reply->destination, std::move(reply->reply));
  }

  // Stops waiting for every request still in flight (their answers could no longer be
  // pushed once the pusher stops).
  void cancel_all() {
    std::unordered_map<std::string, std::shared_ptr<Pending>> all;
    {
      std::lock_guard lock(mu);
      all.swap(in_flight);
    }
    for (auto& [uid, p] : all) outbox.cancel(uid);
    if (!all.empty()) log_info(absl::StrCat("stopped waiting for ", all.size(), " requests in flight"));
  }
};

// Incoming requests for commands no gRPC service serves -> msgbus.<cmd> (shape (b)).
class QueueSink : public gateway::RequestSink {
 public:
  explicit QueueSink(std::shared_ptr<State> state) : state_(std::move(state)) {}
  bool offer(const gateway::IncomingRequest& request) override {
    if (state_->closed) return false;
    std::string list = absl::StrCat(kCommandPrefix, request.command);
    return state_->pusher.push(push_list(list, to_json(incoming_to_json(request))));
  }

 private:
  std::shared_ptr<State> state_;
};

class FrontDoor : public RedisFrontDoor {
 public:
  FrontDoor(const core::RedisUrl& url, gateway::Outbox& outbox, gateway::ServiceRegistry& registry)
      : state_(std::make_shared<State>(url, outbox)),
        registry_(registry),
        sink_(std::make_shared<QueueSink>(state_)),
        pop_(url, {std::string(kLocalQueue), std::string(kReplyQueue)},
             [state = state_](const std::string& queue, std::string payload) {
               if (queue == kLocalQueue) {
                 state->on_request(state, payload);
               } else {
                 state->on_reply(payload);
               }
             },
             state_->outages) {
    registry_.set_fallback(sink_);
    pop_.start();
    log_info(absl::StrCat("redis front door on ", url.display()));
  }

  ~FrontDoor() override { stop(); }

  void stop() override {
    if (stopped_.exchange(true)) return;
    state_->closed = true;
    registry_.set_fallback(nullptr);
    pop_.stop();
    state_->cancel_all();
    // What was popped has been handed to the gateway; let the answers and backlogs queued
    // so far reach Redis (bounded, in case Redis is down).
    state_->pusher.stop(5s);
  }

 private:
  std::shared_ptr<State> state_;
  gateway::ServiceRegistry& registry_;
  std::shared_ptr<QueueSink> sink_;
  PopLoop pop_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

absl::StatusOr<std::unique_ptr<RedisFrontDoor>> start_redis_front_door(RedisFrontDoorOptions options,
                                                                      gateway::Outbox& outbox,
                                                                      gateway::ServiceRegistry& registry) {
  auto url = core::parse_redis_url(options.url);
  if (!url.ok()) return url.status();
  return std::unique_ptr<RedisFrontDoor>(new FrontDoor(*url, outbox, registry));
}

}  // namespace rmb::compat
