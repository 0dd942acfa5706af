#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
#include "relay/federation/redis_federator_impl.h"

namespace rmb::relay {

using redis_federation::Entry;
using redis_federation::is_nogroup;
using redis_federation::kForgetEvery;
using redis_federation::kMaxAddBatch;
using redis_federation::kMaxPendingAcks;
using redis_federation::kOwnPrefix;
using redis_federation::kPendingCount;
using redis_federation::parse_entry;
using redis_federation::str;
using SteadyClock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------
// Writer: XADD, XACK + XDEL, failure reports, the claim pass, consumer housekeeping.

void RedisFederator::Impl::claim_pass(core::RedisConn& conn) {
  std::vector<std::string> mine;
  size_t room = 0;
  {
    std::lock_guard lock(mu);
    mine.assign(in_flight.begin(), in_flight.end());
    room = opt.concurrency > in_flight.size() ? opt.concurrency - in_flight.size() : 0;
  }
  const std::string idle = std::to_string(opt.claim_idle.count());
  // Heartbeat: what this process is delivering is not idle (another process must not
  // claim it while a slow relay keeps us waiting).
  if (!mine.empty()) {
    std::vector<std::string_view> args = {"XCLAIM", kFederationStream, kFederationGroup, opt.consumer, "0"};
    for (auto& id : mine) args.push_back(id);
    args.push_back("JUSTID");
    conn.append(args);
  }
  conn.append({"XLEN", kFederationStream});
  const std::string count = std::to_string(std::min(kPendingCount, std::max<size_t>(room, 1)));
  conn.append({"XPENDING", kFederationStream, kFederationGroup, "IDLE", idle, "-", "+", count});
  if (!mine.empty()) (void)conn.reply();
  auto len = conn.reply();
  if (len.ok() && (*len)->type == REDIS_REPLY_INTEGER) stream_len = static_cast<uint64_t>((*len)->integer);
  auto pending = conn.reply();
  if (!pending.ok()) return;
  if (is_nogroup(pending->get())) {
    (void)create_group(conn);
    return;
  }
  if ((*pending)->type != REDIS_REPLY_ARRAY || room == 0) return;
  std::vector<std::string> candidates;
  {
    std::lock_guard lock(mu);
    for (size_t i = 0; i < (*pending)->elements && candidates.size() < room; ++i) {
      const redisReply* row = (*pending)->element[i];
      if (row->type != REDIS_REPLY_ARRAY || row->elements < 1) continue;
      std::string id(str(row->element[0]));
      if (!in_flight.count(id)) candidates.push_back(std::move(id));
    }
  }
  if (candidates.empty()) return;
  // XCLAIM checks the idle time again: of two processes claiming the same entry, one wins.
  std::vector<std::string_view> args = {"XCLAIM", kFederationStream, kFederationGroup, opt.consumer, idle};
  for (auto& id : candidates) args.push_back(id);
  auto got = conn.command(args);
  if (!got.ok() || (*got)->type != REDIS_REPLY_ARRAY) return;
  std::vector<Entry> work;
  std::vector<std::string> empty;
  {
    std::lock_guard lock(mu);
    for (size_t i = 0; i < (*got)->elements; ++i) {
      auto entry = parse_entry((*got)->element[i]);
      if (!entry) continue;
      if (!entry->msg) {
        empty.push_back(entry->id);
        continue;
      }
      if (in_flight.insert(entry->id).second) work.push_back(std::move(*entry));
    }
  }
  for (auto& id : empty) finish(id, true);
  claimed += work.size();
  if (!work.empty()) core::log_info("federation queue: claimed ", work.size(), " pending entries for another attempt");
  for (auto& e : work) dispatch(std::move(e.id), std::move(*e.msg));
}

void RedisFederator::Impl::forget_consumers(core::RedisConn& conn) {
  auto r = conn.command({"XINFO", "CONSUMERS", kFederationStream, kFederationGroup});
  if (!r.ok() || (*r)->type != REDIS_REPLY_ARRAY) return;
  const long long forget_ms = static_cast<long long>(opt.forget_consumers.count()) * 1000;
  for (size_t i = 0; i < (*r)->elements; ++i) {
    const redisReply* c = (*r)->element[i];
    if (c->type != REDIS_REPLY_ARRAY) continue;
    std::string name;
    long long pending = -1, idle = -1;
    for (size_t k = 0; k + 1 < c->elements; k += 2) {
      const auto key = str(c->element[k]);
      const redisReply* v = c->element[k + 1];
      if (key == "name") name = std::string(str(v));
      if (key == "pending" && v->type == REDIS_REPLY_INTEGER) pending = v->integer;
      if (key == "idle" && v->type == REDIS_REPLY_INTEGER) idle = v->integer;
    }
    // Only names of this implementation (rmb-rs reuses its relay-<i> names).
    if (name.rfind(kOwnPrefix, 0) != 0 || name == opt.consumer || pending != 0 || idle < forget_ms) continue;
    (void)conn.command({"XGROUP", "DELCONSUMER", kFederationStream, kFederationGroup, name});
    core::log_debug("federation queue: removed idle consumer ", name);
  }
}

void RedisFederator::Impl::writer_loop() {
  core::block_sigpipe_in_this_thread();
  auto next_claim = SteadyClock::now();
  auto next_forget = SteadyClock::now() + kForgetEvery;
  while (true) {
    std::vector<Add> batch;
    std::vector<std::string> ack_batch;
    std::deque<Failure> report;
    bool stop = false;
    {
      std::unique_lock lock(mu);
      auto deadline = writer_link.get() ? next_claim : std::max(next_claim, writer_link.next_attempt());
      wcv.wait_until(lock, deadline, [&] { return stopping || !adds.empty() || !acks.empty() || !failures.empty(); });
      stop = stopping;
      while (!adds.empty() && batch.size() < kMaxAddBatch) {
        add_bytes -= adds.front().frame->size();
        batch.push_back(std::move(adds.front()));
        adds.pop_front();
      }
      ack_batch.swap(acks);
      report.swap(failures);
    }
    for (auto& f : report) fail(f.envelope, f.reason);

    if (!writer_link.get()) writer_link.connect_if_due();
    core::RedisConn* conn = writer_link.get();
    if (!conn) {
      // The sender hears of it now rather than never (§5.5 "redis error: ...").
      for (auto& a : batch) fail(a.envelope, absl::StrCat("redis error: ", url.display(), " unavailable"));
      std::lock_guard lock(mu);
      for (auto& id : ack_batch) {
        if (acks.size() < kMaxPendingAcks) acks.push_back(std::move(id));
      }
      if (stop) return;
      continue;
    }

    for (auto& a : batch) conn->append({"XADD", kFederationStream, "*", "msg", *a.frame});
    for (auto& id : ack_batch) {
      conn->append({"XACK", kFederationStream, kFederationGroup, id});
      conn->append({"XDEL", kFederationStream, id});  // unlike rmb-rs: the stream stays small
    }
    absl::Status broken;
    for (auto& a : batch) {
      auto r = broken.ok() ? conn->reply() : absl::StatusOr<core::RedisReply>(broken);
      if (!r.ok()) broken = r.status();
      absl::Status s = r.ok() ? core::reply_status(r->get()) : r.status();
      if (!s.ok()) {
        core::log_warn("federation queue: XADD of ", a.envelope.uid(), " failed: ", s.message());
        fail(a.envelope, s.message().rfind("redis error", 0) == 0 ? std::string(s.message())
                                                                  : absl::StrCat("redis error: ", s.message()));
      }
    }
    for (size_t i = 0; i < 2 * ack_batch.size() && broken.ok(); ++i) {
      auto r = conn->reply();
      if (!r.ok()) broken = r.status();
    }
    if (!broken.ok()) {
      std::lock_guard lock(mu);
      for (auto& id : ack_batch) {
        if (acks.size() < kMaxPendingAcks) acks.push_back(std::move(id));  // a lost ack means a retry
      }
    }
    if (broken.ok() && !stop && SteadyClock::now() >= next_claim) {
      claim_pass(*conn);
      next_claim = SteadyClock::now() + opt.claim_every;
      if (SteadyClock::now() >= next_forget) {
        forget_consumers(*conn);
        next_forget = SteadyClock::now() + kForgetEvery;
      }
    }
    if (!broken.ok()) writer_link.broken(broken);
    if (stop) {
      std::lock_guard lock(mu);
      if (adds.empty()) return;  // else one more round: what was accepted gets its XADD
    }
  }
}

}  // namespace rmb::relay
