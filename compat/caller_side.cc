#include "compat/front_door_state.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/errors.h"
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

namespace rmb::compat::front_door {

Command State::forget(const std::string& uid, const std::vector<uint32_t>& dst) const {
  Command hdel{"HDEL", keys.inflight, uid};
  for (uint32_t twin : dst) hdel.push_back(answered_field(uid, twin));
  return hdel;
}

Command State::unqueue(const std::string& payload) const {
  return Command{"LREM", keys.local_processing, "1", payload};
}

void State::answer_error(const std::string& ret, const std::optional<std::string>& ref, size_t copies,
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

std::vector<Command> State::forget_all(const Pending& p) const {
  return {forget(p.uid, p.dst), Command{"DEL", backlog_key(p.uid)}};
}

void State::on_outcome(Pending& p, const gateway::Outcome& outcome) {
  const bool last = p.outcomes_left > 0 && --p.outcomes_left == 0;
  auto json = outcome_to_json(outcome, p.ref);
  if (!json) {
    core::log_debug("compat: ", absl::StrCat("request ", outcome.uid, " to twin ", outcome.destination.twin,
                                             " expired without an answer"));
    return;
  }
  auto commands = push_list(p.ret, to_json(*json));
  if (last) {
    // A crash before this transaction re-sends to this destination only (its marker is
    // missing), after it nothing: the same as marker + on_done's writes, in fewer commands.
    auto forget = forget_all(p);
    commands.insert(commands.end(), std::make_move_iterator(forget.begin()), std::make_move_iterator(forget.end()));
  } else {
    commands.push_back(Command{"HSET", keys.inflight, answered_field(p.uid, outcome.destination.twin), "1"});
  }
  if (!pusher.push_atomic(std::move(commands))) {
    core::log_warn("compat: ", absl::StrCat("write queue full or closed; an answer for '", p.ret, "' is lost"));
    return;
  }
  p.forgotten = last;
}

void State::on_done(const std::shared_ptr<Pending>& p) {
  if (!p->forgotten) pusher.push(forget_all(*p));
  // Erased after the DEL is queued: an orphan reply that no longer finds the uid here
  // looks the backlog up after that DEL (one FIFO), so it finds none.
  std::lock_guard lock(mu);
  in_flight.erase(p->uid);
}

Command State::write_backlog(const std::string& uid, const RequestJson& json, int64_t ttl) const {
  uint64_t backlog = backlog_ttl(ttl);
  return Command{"SETEX", backlog_key(uid), std::to_string(backlog), encode_backlog(uid, json.ref, json.ret, backlog)};
}

void State::send(const std::shared_ptr<State>& self, const std::string& uid, const RequestJson& json,
                 gateway::OutgoingRequest request, int64_t ttl, bool backlog_written) {
  size_t copies = request.destinations.size();
  // A destination listed twice gets one outcome from the gateway: then the count never
  // reaches 0 and on_done forgets the request, as for an expiry.
  auto pending = std::make_shared<Pending>(Pending{uid, json.ref, json.ret, json.dst, copies, false});
  {
    std::lock_guard lock(mu);
    in_flight[uid] = pending;
  }
  request.uid = uid;
  // The backlog is written before the request goes out, as rmb-rs writes it: answers (and
  // on_done's DEL) may come on gateway threads before request() even returns, so an answer
  // must never reach the caller before its backlog, nor the DEL come before the SETEX (which
  // would leave a backlog behind for a late repeat of an answer to be routed by). Either it
  // is in Redis already (the record's transaction), or it is queued here ahead of them on
  // the pusher, one FIFO.
  if (!backlog_written) pusher.push({write_backlog(uid, json, ttl)});
  auto sent = outbox.request(
      std::move(request), [self, pending](gateway::Outcome o) { self->on_outcome(*pending, o); },
      [self, pending] { self->on_done(pending); });
  if (!sent.ok()) {
    {
      std::lock_guard lock(mu);
      in_flight.erase(uid);
    }
    answer_error(json.ret, json.ref, copies, other_error(std::string(sent.status().message())), forget_all(*pending));
    return;
  }
}

PopBatch State::on_requests(const std::shared_ptr<State>& self, const std::vector<std::string>& payloads) {
  struct Ready {
    std::string uid;
    RequestJson json;
    gateway::OutgoingRequest request;
    int64_t ttl;
  };
  auto ready = std::make_shared<std::vector<Ready>>();
  Command record_all{"HSET", keys.inflight};
  std::vector<Command> per_request;
  for (const std::string& payload : payloads) {
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
      continue;
    }
    const RequestJson& json = *parsed.request;
    auto prepared = prepare_request(json, core::unix_now());
    if (auto* error = std::get_if<gateway::RmbError>(&prepared)) {
      answer_error(json.ret, json.ref, json.dst.size(), *error, {unqueue(payload)});
      continue;
    }
    auto& prepared_request = std::get<PreparedRequest>(prepared);
    std::string uid = gateway::new_uid();
    RequestJson record = json;
    record.now = prepared_request.request.timestamp;
    record.exp = prepared_request.request.expiration;
    record_all.push_back(uid);
    record_all.push_back(to_json(record));
    per_request.push_back(unqueue(payload));
    // In the record's transaction rather than on the pusher: one write less to queue and
    // wake the pusher for, and in Redis before the request is sent.
    per_request.push_back(write_backlog(uid, json, prepared_request.ttl));
    ready->push_back(Ready{uid, json, std::move(prepared_request.request), prepared_request.ttl});
  }
  PopBatch batch;
  if (ready->empty()) return batch;
  batch.writes.push_back(std::move(record_all));
  batch.writes.insert(batch.writes.end(), std::make_move_iterator(per_request.begin()),
                      std::make_move_iterator(per_request.end()));
  // On the pop loop's thread, like unsure_uids' other users.
  batch.then = [self, ready](bool written) {
    for (Ready& r : *ready) {
      if (written) {
        self->send(self, r.uid, r.json, std::move(r.request), r.ttl, /*backlog_written=*/true);
      } else {
        self->unsure_uids.push_back(r.uid);
      }
    }
  };
  return batch;
}

void State::reissue(const std::shared_ptr<State>& self, const InflightRecord& record) {
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
  d.erase(
      std::remove_if(d.begin(), d.end(), [&](const core::AddressText& a) { return record.answered.count(a.twin) > 0; }),
      d.end());
  if (d.empty()) {
    pusher.push({forget(record.uid, json.dst)});
    return;
  }
  send(self, record.uid, json, std::move(request), ready.ttl, /*backlog_written=*/false);
}

bool State::on_local_connected(const std::shared_ptr<State>& self, core::RedisConn& conn,
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
  } else {
    // One at a time, so that a connection lost in between re-sends none of them twice.
    while (!unsure_uids.empty()) {
      const std::string& uid = unsure_uids.back();
      auto r = conn.command({"HGET", keys.inflight, uid});
      if (!r.ok()) return false;
      // Recorded: the transaction went through before the connection broke, and took the
      // request off the processing list; send it. Not recorded: it is still on that list.
      if ((*r)->type == REDIS_REPLY_STRING) reissue(self, InflightRecord{uid, std::string((*r)->str, (*r)->len), {}});
      unsure_uids.pop_back();
    }
  }
  unsure_uids.clear();
  auto left = read_list(conn, keys.local_processing);
  if (!left) return false;
  // Oldest first (the pop pushes onto the head), a batch at a time.
  std::vector<std::string> oldest_first(left->rbegin(), left->rend());
  for (size_t i = 0; i < oldest_first.size(); i += pop_batch) {
    auto end = oldest_first.begin() + static_cast<std::ptrdiff_t>(std::min(oldest_first.size(), i + pop_batch));
    if (!write_batch(conn, on_requests(self, {oldest_first.begin() + static_cast<std::ptrdiff_t>(i), end})))
      return false;
  }
  if (!left->empty())
    core::log_info("compat: ", absl::StrCat("took up ", left->size(), " requests popped but not sent before"));
  return true;
}

void State::on_orphan(const gateway::Outcome& reply) {
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

std::vector<Command> State::route_orphan(const gateway::Outcome& reply, const redisReply* r) const {
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

void State::cancel_all() {
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

}  // namespace rmb::compat::front_door
