#pragma once
// The Redis front door's state, shared by the gateway's callbacks and the two pop loops
// (compat/redis_front_door.cc). Its work is in two files, one per side of a call:
// caller_side.cc for requests this peer's apps push to msgbus.system.local (in flight,
// answers, restarts, orphan replies), service_side.cc for requests arriving for
// msgbus.<cmd> workers and the responses they push to msgbus.system.reply. Internal to compat/.
#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compat/inflight.h"
#include "compat/pop_loop.h"
#include "compat/pusher.h"
#include "compat/redis_front_door.h"
#include "compat/shapes.h"
#include "core/redis/reconnecting_conn.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "gateway/front_door.h"

namespace rmb::compat::front_door {

// LPUSH + LTRIM to the list's cap.
std::vector<Command> push_list(const std::string& list, std::string json);
std::string backlog_key(const std::string& uid);

// The batch's writes on the pop loop's connection (append_writes), waiting for Redis, then
// batch.then(written); returns written. False when the connection broke (whether Redis
// applied them is then unknown).
bool write_batch(core::RedisConn& conn, PopBatch batch);

// LRANGE <list> 0 -1 (newest first); nullopt when the connection broke.
std::optional<std::vector<std::string>> read_list(core::RedisConn& conn, const std::string& list);

// One request in flight: where its answers go, and what to forget once it is done.
struct Pending {
  std::string uid;
  std::optional<std::string> ref;
  std::string ret;
  std::vector<uint32_t> dst;  // every destination of the request (for its answered markers)
  // Outcomes still to come (the destinations it was sent to). The gateway runs a request's
  // on_outcome and on_done one after the other on one strand, so these need no lock.
  size_t outcomes_left = 0;
  bool forgotten = false;  // the last answer's transaction deleted the record and backlog
};

// Everything the gateway's callbacks touch. Shared with those callbacks, so a late callback
// after stop() finds a stopped pusher instead of freed memory.
struct State {
  State(const core::RedisUrl& url, const RedisFrontDoorOptions& options, gateway::Outbox& outbox,
        gateway::ServiceRegistry& registry)
      : outages(absl::StrCat("compat: redis at ", url.display()), "reconnecting in the background"),
        pusher(PusherOptions{url}, outages),
        outbox(outbox),
        registry(registry),
        keys(state_keys(options.instance)),
        max_orphan_lookups(options.max_orphan_replies),
        pop_batch(std::max<size_t>(options.pop_batch, 1)) {}

  core::RedisOutageLog outages;  // the pusher's and both pop loops' connections
  Pusher pusher;
  gateway::Outbox& outbox;
  gateway::ServiceRegistry& registry;
  const StateKeys keys;
  const size_t max_orphan_lookups;
  const size_t pop_batch;
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<Pending>> in_flight;
  std::atomic<bool> closed{false};
  std::atomic<size_t> orphan_lookups{0};
  std::atomic<uint64_t> orphans_refused{0};
  // Touched by the request pop thread only.
  bool recovered = false;                // what a previous run left in flight was re-sent
  std::vector<std::string> unsure_uids;  // their record writes were cut by a broken connection

  Command forget(const std::string& uid, const std::vector<uint32_t>& dst) const;

  Command unqueue(const std::string& payload) const;

  // One error per destination (at least one), so that callers which count answers per
  // destination are not left waiting either; then `then`, all or nothing.
  void answer_error(const std::string& ret, const std::optional<std::string>& ref, size_t copies,
                    const gateway::RmbError& error, std::vector<Command> then);

  // The answer and its "answered" marker together: a restart then re-sends the request only
  // to the destinations whose answers did not reach `ret`. The last outcome's answer goes
  // with the forget() and backlog DEL of on_done instead (one transaction, no marker: once
  // the record is gone nothing is re-sent).
  void on_outcome(Pending& p, const gateway::Outcome& outcome);

  // Every destination answered or expired: nothing is owed any more. The backlog goes too,
  // so that a late repeat of an answer (the gateway sends unanswered requests again) is
  // not routed to `ret` a second time through it.
  void on_done(const std::shared_ptr<Pending>& p);

  // forget(uid, dst) and the DEL of its backlog: what on_done writes.
  std::vector<Command> forget_all(const Pending& p) const;

  // SETEX msgbus.backlog.<uid> as rmb-rs writes it (TTL clamped, backlog_ttl).
  Command write_backlog(const std::string& uid, const RequestJson& json, int64_t ttl) const;

  // Sends `request` under `uid` (its in-flight record is in Redis already; its backlog too
  // when `backlog_written`, else it is queued first).
  void send(const std::shared_ptr<State>& self, const std::string& uid, const RequestJson& json,
            gateway::OutgoingRequest request, int64_t ttl, bool backlog_written);

  // Requests moved to the processing list (oldest first): recorded in msgbus.system.inflight,
  // their backlogs written and taken off the processing list in one transaction (the
  // batch's writes), then sent (its `then`). Those that cannot be sent are answered with an
  // error at once.
  PopBatch on_requests(const std::shared_ptr<State>& self, const std::vector<std::string>& payloads);

  // A request a previous run (or a cut connection) left in flight: sent again under its
  // uid and original timestamp, to the destinations whose answers did not reach `ret`.
  void reissue(const std::shared_ptr<State>& self, const InflightRecord& record);

  // Before the request pop loop pops (every (re)connect): the first time, re-send what a
  // previous run left in flight and start taking orphan replies; then take up what the
  // processing list holds (popped, never recorded, so never sent).
  bool on_local_connected(const std::shared_ptr<State>& self, core::RedisConn& conn,
                          const std::shared_ptr<gateway::OrphanReplySink>& orphans);

  // An incoming request for a command no gRPC service serves -> (b) on msgbus.<cmd>,
  // unless this (source, uid) was delivered before (see kDeliverOnce).
  bool deliver(const gateway::IncomingRequest& request);

  std::vector<Command> after_delivery(const std::string& list, const std::string& json, const std::string& uid,
                                      const std::string& src, const redisReply* r);

  // A response (c) to the gateway; the seen key of the request it answers, if readable.
  std::optional<std::string> send_reply(const std::string& payload);

  // Responses moved to their processing list (oldest first): handed to the gateway, then
  // kept as their requests' answers (for a repeat after a restart) and taken off, in one
  // transaction (the batch's writes).
  PopBatch on_replies(const std::vector<std::string>& payloads);

  bool on_reply_connected(core::RedisConn& conn);

  // A reply for no request pending here: its backlog says where it goes (§8.7 step 5).
  // Looked up on the pusher's connection; this runs on a gateway I/O thread.
  void on_orphan(const gateway::Outcome& reply);

  std::vector<Command> route_orphan(const gateway::Outcome& reply, const redisReply* r) const;

  // Stops waiting for every request still in flight (their answers could no longer be
  // pushed once the pusher stops). Their records stay: the next start sends them again.
  void cancel_all();
};

}  // namespace rmb::compat::front_door
