#include "compat/redis_front_door.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/errors.h"
#include "compat/inflight.h"
#include "compat/outage.h"
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
namespace {

using namespace std::chrono_literals;

std::vector<Command> push_list(const std::string& list, std::string json) {
  return {Command{"LPUSH", list, std::move(json)}, Command{"LTRIM", list, "0", std::to_string(kListCap - 1)}};
}

std::string backlog_key(const std::string& uid) { return absl::StrCat(kBacklogPrefix, uid); }

// Delivers an incoming request to msgbus.<cmd> once per (source, uid), also across
// restarts of this peer (whose gateway then no longer knows the uid when the caller sends
// it again). KEYS: the seen key, the list; ARGV: seen TTL, the (b) JSON, the list's last
// index. Returns nil when delivered now; "" when delivered before and not answered yet;
// else the app's response (c), to send again.
constexpr char kDeliverOnce[] = R"lua(
local seen = redis.call('GET', KEYS[1])
if seen then return seen end
redis.call('SET', KEYS[1], '', 'EX', ARGV[1])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, ARGV[3])
return false
)lua";

// A repeat may come a little after the request's own expiry (clock skew, a late resend).
constexpr int64_t kSeenSlack = 60;

// MULTI <commands> EXEC on the pop loop's connection, waiting for Redis. False when the
// connection broke (whether Redis applied them is then unknown).
bool write_atomic(core::RedisConn& conn, const std::vector<Command>& commands) {
  std::vector<std::string_view> args;
  conn.append({"MULTI"});
  for (const auto& c : commands) {
    args.assign(c.begin(), c.end());
    conn.append(args);
  }
  conn.append({"EXEC"});
  auto refused = [](const redisReply* r) {
    core::log_warn("compat: ", absl::StrCat("redis refused a write of the front door's state: ",
                                            absl::string_view(r->str, r->len)));
  };
  for (size_t i = 0; i < commands.size() + 2; ++i) {
    auto r = conn.reply();
    if (!r.ok()) return false;
    if ((*r)->type == REDIS_REPLY_ERROR) refused(r->get());
    // EXEC's own replies: e.g. WRONGTYPE when someone made the in-flight hash a string.
    if (i == commands.size() + 1 && (*r)->type == REDIS_REPLY_ARRAY) {
      for (size_t k = 0; k < (*r)->elements; ++k) {
        if ((*r)->element[k]->type == REDIS_REPLY_ERROR) refused((*r)->element[k]);
      }
    }
  }
  return true;
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

// One request in flight: where its answers go, and what to forget once it is done.
struct Pending {
  std::string uid;
  std::optional<std::string> ref;
  std::string ret;
  std::vector<uint32_t> dst;  // every destination of the request (for its answered markers)
};

// Everything the gateway's callbacks touch. Shared with those callbacks, so a late callback
// after stop() finds a stopped pusher instead of freed memory.
struct State {
  State(const core::RedisUrl& url, const RedisFrontDoorOptions& options, gateway::Outbox& outbox,
        gateway::ServiceRegistry& registry)
      : outages(url.display()),
        pusher(PusherOptions{url}, outages),
        outbox(outbox),
        registry(registry),
        keys(state_keys(options.instance)),
        max_orphan_lookups(options.max_orphan_replies) {}

  OutageLog outages;
  Pusher pusher;
  gateway::Outbox& outbox;
  gateway::ServiceRegistry& registry;
  const StateKeys keys;
  const size_t max_orphan_lookups;
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<Pending>> in_flight;
  std::atomic<bool> closed{false};
  std::atomic<size_t> orphan_lookups{0};
  std::atomic<uint64_t> orphans_refused{0};
  // Touched by the request pop thread only.
  bool recovered = false;                 // what a previous run left in flight was re-sent
  std::optional<std::string> unsure_uid;  // its record write was cut by a broken connection

  Command forget(const std::string& uid, const std::vector<uint32_t>& dst) const {
    Command hdel{"HDEL", keys.inflight, uid};
    for (uint32_t twin : dst) hdel.push_back(answered_field(uid, twin));
    return hdel;
  }

  Command unqueue(const std::string& payload) const { return Command{"LREM", keys.local_processing, "1", payload}; }

  // One error per destination (at least one), so that callers which count answers per
  // destination are not left waiting either; then `then`, all or nothing.
  void answer_error(const std::string& ret, const std::optional<std::string>& ref, size_t copies,
                    const gateway::RmbError& error, std::vector<Command> then) {
    std::string json = to_json(error_to_json(error, ref));
    std::vector<Command> commands;
    for (size_t i = 0; i < std::max<size_t>(copies, 1); ++i) {
      auto two = push_list(ret, json);
      commands.insert(commands.end(), std::make_move_iterator(two.begin()), std::make_move_iterator(two.end()));
    }
    commands.insert(commands.end(), std::make_move_iterator(then.begin()), std::make_move_iterator(then.end()));
    if (!pusher.push_atomic(std::move(commands))) {
      core::log_warn("compat: ", absl::StrCat("write queue full or closed; an error for '", ret, "' is lost"));
    }
  }

  // The answer and its "answered" marker together: a restart then re-sends the request only
  // to the destinations whose answers did not reach `ret`.
  void on_outcome(const Pending& p, const gateway::Outcome& outcome) {
    auto json = outcome_to_json(outcome, p.ref);
    if (!json) {
      core::log_debug("compat: ", absl::StrCat("request ", outcome.uid, " to twin ", outcome.destination.twin,
                                               " expired without an answer"));
      return;
    }
    auto commands = push_list(p.ret, to_json(*json));
    commands.push_back(Command{"HSET", keys.inflight, answered_field(p.uid, outcome.destination.twin), "1"});
    if (!pusher.push_atomic(std::move(commands))) {
      core::log_warn("compat: ", absl::StrCat("write queue full or closed; an answer for '", p.ret, "' is lost"));
    }
  }

  // Every destination answered or expired: nothing is owed any more. The backlog goes too,
  // so that a late repeat of an answer (the gateway sends unanswered requests again) is
  // not routed to `ret` a second time through it.
  void on_done(const std::shared_ptr<Pending>& p) {
    pusher.push({forget(p->uid, p->dst), Command{"DEL", backlog_key(p->uid)}});
    // Erased after the DEL is queued: an orphan reply that no longer finds the uid here
    // looks the backlog up after that DEL (one FIFO), so it finds none.
    std::lock_guard lock(mu);
    in_flight.erase(p->uid);
  }

  // Sends `request` under `uid` (its in-flight record is in Redis already).
  void send(const std::shared_ptr<State>& self, const std::string& uid, const RequestJson& json,
            gateway::OutgoingRequest request, int64_t ttl) {
    auto pending = std::make_shared<Pending>(Pending{uid, json.ref, json.ret, json.dst});
    {
      std::lock_guard lock(mu);
      in_flight[uid] = pending;
    }
    size_t copies = request.destinations.size();
    request.uid = uid;
    // Callbacks may run on gateway threads before request() even returns.
    auto sent = outbox.request(
        std::move(request), [self, pending](gateway::Outcome o) { self->on_outcome(*pending, o); },
        [self, pending] { self->on_done(pending); });
    if (!sent.ok()) {
      {
        std::lock_guard lock(mu);
        in_flight.erase(uid);
      }
      answer_error(json.ret, json.ref, copies, other_error(std::string(sent.status().message())),
                   {forget(uid, json.dst)});
      return;
    }
    uint64_t backlog = backlog_ttl(ttl);
    pusher.push({Command{"SETEX", backlog_key(uid), std::to_string(backlog),
                         encode_backlog(uid, json.ref, json.ret, backlog)}});
  }

  // A request moved to the processing list: recorded in msgbus.system.inflight and taken
  // off the processing list in one transaction, then sent. False when the connection broke.
  bool on_request(const std::shared_ptr<State>& self, core::RedisConn& conn, const std::string& payload) {
    RequestParse parsed = parse_request(payload);
    if (!parsed.request) {
      const RequestParseError& e = parsed.error;
      if (e.ret) {
        answer_error(*e.ret, e.ref, e.destinations, invalid_request_error(e.message), {unqueue(payload)});
      } else {
        core::log_warn(
            "compat: ",
            absl::StrCat(kLocalQueue, ": dropped a message that is not a request and names no 'ret' to answer (",
                         e.message, ")"));
        pusher.push({unqueue(payload)});
      }
      return true;
    }
    const RequestJson& json = *parsed.request;
    auto prepared = prepare_request(json, core::unix_now());
    if (auto* error = std::get_if<gateway::RmbError>(&prepared)) {
      answer_error(json.ret, json.ref, json.dst.size(), *error, {unqueue(payload)});
      return true;
    }
    auto& ready = std::get<PreparedRequest>(prepared);
    std::string uid = gateway::new_uid();
    RequestJson record = json;
    record.now = ready.request.timestamp;
    record.exp = ready.request.expiration;
    if (!write_atomic(conn, {Command{"HSET", keys.inflight, uid, to_json(record)}, unqueue(payload)})) {
      unsure_uid = uid;
      return false;
    }
    send(self, uid, json, std::move(ready.request), ready.ttl);
    return true;
  }

  // A request a previous run (or a cut connection) left in flight: sent again under its
  // uid and original timestamp, to the destinations whose answers did not reach `ret`.
  void reissue(const std::shared_ptr<State>& self, const InflightRecord& record) {
    RequestParse parsed = parse_request(record.request);
    if (!parsed.request) {
      core::log_warn("compat: ", absl::StrCat(keys.inflight, ": dropped the unreadable record of ", record.uid, " (",
                                              parsed.error.message, ")"));
      pusher.push({forget(record.uid, {})});
      return;
    }
    const RequestJson& json = *parsed.request;
    auto prepared = prepare_request(json, core::unix_now());
    if (auto* error = std::get_if<gateway::RmbError>(&prepared)) {
      core::log_debug("compat: ",
                      absl::StrCat("request ", record.uid, " left in flight is not sent again: ", error->message));
      pusher.push({forget(record.uid, json.dst)});
      return;
    }
    auto& ready = std::get<PreparedRequest>(prepared);
    gateway::OutgoingRequest& request = ready.request;
    request.timestamp = json.now;
    request.expiration = json.exp;
    auto& d = request.destinations;
    d.erase(std::remove_if(d.begin(), d.end(),
                           [&](const core::AddressText& a) { return record.answered.count(a.twin) > 0; }),
            d.end());
    if (d.empty()) {
      pusher.push({forget(record.uid, json.dst)});
      return;
    }
    send(self, record.uid, json, std::move(request), ready.ttl);
  }

  // Before the request pop loop pops (every (re)connect): the first time, re-send what a
  // previous run left in flight and start taking orphan replies; then take up what the
  // processing list holds (popped, never recorded, so never sent).
  bool on_local_connected(const std::shared_ptr<State>& self, core::RedisConn& conn,
                          const std::shared_ptr<gateway::OrphanReplySink>& orphans) {
    if (!recovered) {
      auto r = conn.command({"HGETALL", keys.inflight});
      if (!r.ok()) return false;
      std::vector<std::pair<std::string, std::string>> fields;
      if ((*r)->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i + 1 < (*r)->elements; i += 2) {
          const redisReply* f = (*r)->element[i];
          const redisReply* v = (*r)->element[i + 1];
          if (f->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING) {
            fields.emplace_back(std::string(f->str, f->len), std::string(v->str, v->len));
          }
        }
      } else {
        core::log_warn("compat: ", absl::StrCat("HGETALL ", keys.inflight, " did not return a hash; nothing re-sent"));
      }
      InflightState state = parse_inflight(fields);
      if (!state.stray_fields.empty()) {
        Command hdel{"HDEL", keys.inflight};
        hdel.insert(hdel.end(), state.stray_fields.begin(), state.stray_fields.end());
        pusher.push({std::move(hdel)});
      }
      for (const auto& record : state.records) reissue(self, record);
      if (!state.records.empty()) {
        core::log_info("compat: ",
                       absl::StrCat("took up ", state.records.size(), " requests a previous run left in flight"));
      }
      // Only now: a reply routed through its backlog before its request was re-sent would
      // reach `ret` twice (once more from the re-sent request).
      registry.set_orphan_reply_sink(orphans);
      recovered = true;
    } else if (unsure_uid) {
      auto r = conn.command({"HGET", keys.inflight, *unsure_uid});
      if (!r.ok()) return false;
      // Recorded: the transaction went through before the connection broke, and took the
      // request off the processing list; send it. Not recorded: it is still on that list.
      if ((*r)->type == REDIS_REPLY_STRING)
        reissue(self, InflightRecord{*unsure_uid, std::string((*r)->str, (*r)->len), {}});
    }
    unsure_uid.reset();
    auto left = read_list(conn, keys.local_processing);
    if (!left) return false;
    // Oldest first (the pop pushes onto the head).
    for (auto it = left->rbegin(); it != left->rend(); ++it) {
      if (!on_request(self, conn, *it)) return false;
    }
    if (!left->empty())
      core::log_info("compat: ", absl::StrCat("took up ", left->size(), " requests popped but not sent before"));
    return true;
  }

  // An incoming request for a command no gRPC service serves -> (b) on msgbus.<cmd>,
  // unless this (source, uid) was delivered before (see kDeliverOnce).
  bool deliver(const gateway::IncomingRequest& request) {
    IncomingRequestJson b = incoming_to_json(request);
    std::string list = absl::StrCat(kCommandPrefix, request.command);
    std::string json = to_json(b);
    int64_t left =
        static_cast<int64_t>(request.timestamp + request.expiration) - static_cast<int64_t>(core::unix_now());
    // Capped: a sender's clock far ahead must not make the key outlive any real request.
    int64_t ttl = std::clamp<int64_t>(left, 1, static_cast<int64_t>(core::kMaxTtl)) + kSeenSlack;
    Command eval{"EVAL", kDeliverOnce,        "2",  seen_key(keys, b.src, request.uid),
                 list,   std::to_string(ttl), json, std::to_string(kListCap - 1)};
    // The pusher runs its handlers while this State exists (it is a member, stopped first).
    State* self = this;
    return pusher.query(std::move(eval), [self, list, json, uid = request.uid, src = b.src](const redisReply* r) {
      return self->after_delivery(list, json, uid, src, r);
    });
  }

  std::vector<Command> after_delivery(const std::string& list, const std::string& json, const std::string& uid,
                                      const std::string& src, const redisReply* r) {
    if (r == nullptr) {
      core::log_warn("compat: ",
                     absl::StrCat("request ", uid, " from ", src, " for '", list, "' is lost: redis unreachable"));
      return {};
    }
    if (r->type == REDIS_REPLY_ERROR) {
      // No scripting (e.g. a restricted managed Redis): delivered without the check.
      return push_list(list, json);
    }
    if (r->type != REDIS_REPLY_STRING) return {};  // delivered now
    if (r->len == 0) {
      core::log_debug("compat: ", absl::StrCat("repeated request ", uid, " from ", src, " is on '", list,
                                               "' already (delivered before a restart); not delivered again"));
      return {};
    }
    core::log_debug("compat: ", absl::StrCat("repeated request ", uid, " from ", src,
                                             " answered again with the response given before"));
    send_reply(std::string(r->str, r->len));
    return {};
  }

  // A response (c) to the gateway; the seen key of the request it answers, if readable.
  std::optional<std::string> send_reply(const std::string& payload) {
    auto json = parse_response(payload);
    if (!json.ok()) {
      core::log_warn("compat: ",
                     absl::StrCat(kReplyQueue, ": dropped a malformed response (", json.status().message(), ")"));
      return std::nullopt;
    }
    auto reply = prepare_reply(*json);
    if (!reply.ok()) {
      core::log_warn("compat: ", absl::StrCat(kReplyQueue, ": dropped a response with an unusable 'dst' (",
                                              reply.status().message(), ")"));
      return std::nullopt;
    }
    if (reply->warning) core::log_warn("compat: ", absl::StrCat(kReplyQueue, ": ", *reply->warning));
    std::string seen =
        seen_key(keys, core::format_address(reply->destination.twin, reply->destination.connection), reply->uid);
    outbox.reply(reply->uid, reply->destination, std::move(reply->reply));
    return seen;
  }

  // A response moved to its processing list: handed to the gateway, then kept as the
  // request's answer (for a repeat of it after a restart) and taken off, in one transaction.
  bool on_reply_message(core::RedisConn& conn, const std::string& payload) {
    auto seen = send_reply(payload);
    std::vector<Command> commands;
    if (seen) commands.push_back(Command{"SET", *seen, payload, "XX", "KEEPTTL"});
    commands.push_back(Command{"LREM", keys.reply_processing, "1", payload});
    return write_atomic(conn, commands);
  }

  bool on_reply_connected(core::RedisConn& conn) {
    auto left = read_list(conn, keys.reply_processing);
    if (!left) return false;
    for (auto it = left->rbegin(); it != left->rend(); ++it) {
      if (!on_reply_message(conn, *it)) return false;
    }
    if (!left->empty())
      core::log_info("compat: ", absl::StrCat("took up ", left->size(), " responses popped but not sent before"));
    return true;
  }

  // A reply for no request pending here: its backlog says where it goes (§8.7 step 5).
  // Looked up on the pusher's connection; this runs on a gateway I/O thread.
  void on_orphan(const gateway::Outcome& reply) {
    if (closed) return;
    {
      // Still ours: a repeat of an answer whose outcome is being delivered right now.
      std::lock_guard lock(mu);
      if (in_flight.count(reply.uid) > 0) return;
    }
    if (orphan_lookups.fetch_add(1) >= max_orphan_lookups) {
      orphan_lookups.fetch_sub(1);
      uint64_t refused = orphans_refused.fetch_add(1) + 1;
      if (refused == 1 || refused % 1000 == 0) {
        core::log_warn("compat: ",
                       absl::StrCat("reply ", reply.uid, " for no pending request dropped: ", max_orphan_lookups,
                                    " backlog lookups already queued (", refused, " dropped so far)"));
      }
      return;
    }
    // The pusher runs its handlers while this State exists (it is a member, stopped first).
    State* self = this;
    bool queued = pusher.query(Command{"GET", backlog_key(reply.uid)}, [self, reply](const redisReply* r) {
      self->orphan_lookups.fetch_sub(1);
      return self->route_orphan(reply, r);
    });
    if (!queued) {
      orphan_lookups.fetch_sub(1);
      core::log_warn("compat: ",
                     absl::StrCat("write queue full or closed; reply ", reply.uid, " for no pending request is lost"));
    }
  }

  std::vector<Command> route_orphan(const gateway::Outcome& reply, const redisReply* r) const {
    std::string what =
        absl::StrCat("reply ", reply.uid, " from ", core::format_address(reply.source.twin, reply.source.connection));
    if (r == nullptr) {
      core::log_warn("compat: ", absl::StrCat(what, " is lost: its backlog could not be read (redis unreachable)"));
      return {};
    }
    if (r->type == REDIS_REPLY_NIL) {
      core::log_debug("compat: ", absl::StrCat(what, " matches no request: no ", backlog_key(reply.uid),
                                               " (answered, expired or never sent here); dropped"));
      return {};
    }
    if (r->type != REDIS_REPLY_STRING) {
      core::log_warn("compat: ", absl::StrCat(what, " dropped: ", backlog_key(reply.uid), " is not a string"));
      return {};
    }
    auto routed = route_by_backlog(reply, std::string_view(r->str, r->len));
    if (!routed.ok()) {
      core::log_warn("compat: ",
                     absl::StrCat(what, " dropped: ", backlog_key(reply.uid), ": ", routed.status().message()));
      return {};
    }
    core::log_debug("compat: ",
                    absl::StrCat(what, " (for no pending request) goes to '", routed->list, "' as its backlog says"));
    return push_list(routed->list, std::move(routed->json));
  }

  // Stops waiting for every request still in flight (their answers could no longer be
  // pushed once the pusher stops). Their records stay: the next start sends them again.
  void cancel_all() {
    std::unordered_map<std::string, std::shared_ptr<Pending>> all;
    {
      std::lock_guard lock(mu);
      all.swap(in_flight);
    }
    for (auto& [uid, p] : all) outbox.cancel(uid);
    if (!all.empty()) {
      core::log_info("compat: ", absl::StrCat("stopped waiting for ", all.size(), " requests in flight (kept in ",
                                              keys.inflight, " for the next start)"));
    }
  }
};

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
                               [state = state_](core::RedisConn& conn, std::string payload) {
                                 return state->on_request(state, conn, payload);
                               }},
                   state_->outages),
        reply_pop_(url, kReplyQueue, state_->keys.reply_processing,
                   PopHandlers{[state = state_](core::RedisConn& conn) { return state->on_reply_connected(conn); },
                               [state = state_](core::RedisConn& conn, std::string payload) {
                                 return state->on_reply_message(conn, payload);
                               }},
                   state_->outages) {
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
