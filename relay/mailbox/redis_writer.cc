#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
#include "relay/mailbox/redis_impl.h"

namespace rmb::relay {

using redis_mailbox::kGuardedStore;
using redis_mailbox::kMaxPendingXdels;
using redis_mailbox::kMaxStoreBatch;
using redis_mailbox::kTooManyMailboxes;
using redis_mailbox::kUnblockRetry;
using redis_mailbox::kXdelBatch;
using redis_mailbox::kXdelFlush;
using redis_mailbox::SteadyClock;
using redis_mailbox::StoreRequest;
using redis_mailbox::XdelItem;

// ---------------------------------------------------------------------------------------
// Writer: stores, deletes, reader wake-ups, depth sampling.

void RedisMailbox::Impl::run_stores(core::RedisConn& conn, std::vector<StoreRequest>& batch,
                                    std::vector<XdelItem>& dels, bool unblock, absl::Status& conn_error,
                                    bool& unblock_again) {
  const std::string maxlen = std::to_string(opt.stream_maxlen);
  const std::string ttl = std::to_string(opt.stream_ttl_seconds);
  std::vector<bool> sent(batch.size(), false);
  // Past the mailbox bound (keys in the database, read with DBSIZE after every batch),
  // stores may only go to streams that exist.
  const bool guarded = db_keys >= opt.max_streams;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& r = batch[i];
    if (!r.frame) continue;
    if (guarded) {
      conn.append({"EVAL", kGuardedStore, "1", r.key, maxlen, *r.frame, ttl});
    } else {
      conn.append({"MULTI"});
      conn.append({"XADD", r.key, "MAXLEN", "~", maxlen, "*", "_", *r.frame});
      conn.append({"EXPIRE", r.key, ttl});
      conn.append({"EXEC"});
    }
    sent[i] = true;
  }
  const bool count_keys = std::any_of(sent.begin(), sent.end(), [](bool b) { return b; });
  if (count_keys) conn.append({"DBSIZE"});
  // XDEL grouped per stream.
  std::map<std::string, std::vector<std::string>> by_key;
  for (auto& d : dels) by_key[d.key].push_back(std::move(d.id));
  dels.clear();
  for (auto& [key, ids] : by_key) {
    std::vector<std::string_view> args = {"XDEL", key};
    for (auto& id : ids) args.push_back(id);
    conn.append(args);
  }
  std::string client_id;
  if (unblock) {
    std::lock_guard lock(smu);
    if (in_block && block_epoch < epoch && reader_client_id >= 0) {
      client_id = std::to_string(reader_client_id);
      conn.append({"CLIENT", "UNBLOCK", client_id});
    }
  }

  // Replies, in order. After a broken connection every remaining store fails.
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& r = batch[i];
    if (!sent[i]) {
      if (r.done) r.done(absl::ResourceExhaustedError("redis store queue is full"));
      continue;
    }
    absl::Status result;
    if (conn_error.ok() && guarded) {
      auto rep = conn.reply();
      if (!rep.ok()) {
        conn_error = rep.status();
      } else {
        result = core::reply_status(rep->get());
        if (!result.ok() && result.message().find(kTooManyMailboxes) != absl::string_view::npos) {
          result = absl::ResourceExhaustedError(kTooManyMailboxes);
          core::log_info("drop too_many_mailboxes: mail for a new ", r.key, " (", db_keys,
                         " keys in redis, --max-mailboxes ", opt.max_streams, ")");
        }
      }
    } else if (conn_error.ok()) {
      for (int k = 0; k < 4; ++k) {
        auto rep = conn.reply();
        if (!rep.ok()) {
          conn_error = rep.status();
          break;
        }
        const redisReply* x = rep->get();
        if (result.ok()) result = core::reply_status(x);
        if (k == 3 && result.ok()) {
          // EXEC: nil when aborted, else [xadd-id, expire-result]; errors can hide inside.
          if (x->type != REDIS_REPLY_ARRAY || x->elements < 1) {
            result = absl::UnavailableError("redis error: transaction aborted");
          } else {
            for (size_t e = 0; e < x->elements && result.ok(); ++e) result = core::reply_status(x->element[e]);
          }
        }
      }
    }
    if (!conn_error.ok()) result = conn_error;
    if (r.done) r.done(result);
  }
  if (count_keys && conn_error.ok()) {
    auto rep = conn.reply();
    if (!rep.ok()) {
      conn_error = rep.status();
    } else if ((*rep)->type == REDIS_REPLY_INTEGER) {
      db_keys = static_cast<uint64_t>((*rep)->integer);
    }
  }
  for (auto& [key, ids] : by_key) {
    if (!conn_error.ok()) {
      // Kept for after the reconnect; a lost delete only means a duplicate later.
      std::lock_guard lock(wmu);
      for (auto& id : ids) {
        if (xdels.size() < kMaxPendingXdels) xdels.push_back({key, std::move(id)});
      }
      continue;
    }
    auto rep = conn.reply();
    if (!rep.ok()) conn_error = rep.status();
  }
  if (!client_id.empty() && conn_error.ok()) {
    auto rep = conn.reply();
    if (!rep.ok()) {
      conn_error = rep.status();
    } else if ((*rep)->type == REDIS_REPLY_INTEGER && (*rep)->integer == 0) {
      // The reader had not reached Redis with its XREAD yet: try again shortly.
      unblock_again = true;
    }
  }
}

void RedisMailbox::Impl::sample_step(core::RedisConn& conn, std::string& cursor, uint64_t& partial,
                                     SteadyClock::time_point& next_sample) {
  auto scan = conn.command({"SCAN", cursor, "MATCH", "stream:*", "COUNT", "1000"});
  if (!scan.ok()) return;  // the next store notices the broken connection
  const redisReply* r = scan->get();
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
      r->element[1]->type != REDIS_REPLY_ARRAY) {
    next_sample = SteadyClock::now() + opt.depth_sample_interval;
    return;
  }
  cursor.assign(r->element[0]->str, r->element[0]->len);
  const redisReply* keys = r->element[1];
  for (size_t i = 0; i < keys->elements; ++i) {
    conn.append({"XLEN", std::string_view(keys->element[i]->str, keys->element[i]->len)});
  }
  for (size_t i = 0; i < keys->elements; ++i) {
    auto len = conn.reply();
    if (!len.ok()) return;
    if ((*len)->type == REDIS_REPLY_INTEGER && (*len)->integer > 0) {
      partial += static_cast<uint64_t>((*len)->integer);
    }
  }
  if (cursor == "0") {
    depth.store(partial, std::memory_order_relaxed);
    partial = 0;
    next_sample = SteadyClock::now() + opt.depth_sample_interval;
  }
}

void RedisMailbox::Impl::writer_loop() {
  core::block_sigpipe_in_this_thread();
  auto last_xdel_flush = SteadyClock::now();
  auto next_sample = SteadyClock::now();
  std::string scan_cursor = "0";
  uint64_t scan_partial = 0;
  bool unblock_retry = false;
  auto unblock_at = SteadyClock::time_point::max();

  while (true) {
    std::vector<StoreRequest> batch;
    std::vector<XdelItem> dels;
    bool unblock = false;
    bool stop = false;
    {
      std::unique_lock lock(wmu);
      // The deadline depends on what is queued (a first XDEL starts its 10 ms clock), so
      // it is recomputed after every wake-up.
      while (!(stopping || !stores.empty() || unblock_wanted || xdels.size() >= kXdelBatch)) {
        auto deadline = next_sample;
        if (!xdels.empty()) deadline = std::min(deadline, last_xdel_flush + kXdelFlush);
        if (unblock_retry) deadline = std::min(deadline, unblock_at);
        if (!writer_link.get()) deadline = std::max(deadline, writer_link.next_attempt());
        if (SteadyClock::now() >= deadline) break;
        wcv.wait_until(lock, deadline);
      }
      stop = stopping;
      auto now = SteadyClock::now();
      while (!stores.empty() && batch.size() < kMaxStoreBatch) {
        if (stores.front().frame) store_bytes -= stores.front().frame->size();
        batch.push_back(std::move(stores.front()));
        stores.pop_front();
      }
      if (stop || xdels.size() >= kXdelBatch || now >= last_xdel_flush + kXdelFlush) {
        dels.swap(xdels);
        last_xdel_flush = now;
      }
      unblock = std::exchange(unblock_wanted, false);
      if (unblock_retry && now >= unblock_at) {
        unblock = true;
        unblock_retry = false;
      }
    }
    // A new connection: the reader may be blocked on a list that is out of date.
    if (!writer_link.get() && writer_link.connect_if_due()) unblock = true;
    core::RedisConn* conn = writer_link.get();
    if (!conn) {
      for (auto& r : batch) {
        if (r.done) r.done(absl::UnavailableError(absl::StrCat("redis error: ", url.display(), " unavailable")));
      }
      std::lock_guard lock(wmu);
      for (auto& d : dels) {
        if (xdels.size() < kMaxPendingXdels) xdels.push_back(std::move(d));
      }
      if (stop) {
        for (auto& r : stores) {
          if (r.done) r.done(absl::CancelledError("redis mailbox stopped"));
        }
        stores.clear();
        return;
      }
      continue;
    }
    absl::Status conn_error;
    bool unblock_again = false;
    run_stores(*conn, batch, dels, unblock, conn_error, unblock_again);
    if (unblock_again) {
      unblock_retry = true;
      unblock_at = SteadyClock::now() + kUnblockRetry;
    }
    if (conn_error.ok() && !stop && SteadyClock::now() >= next_sample) {
      bool idle;
      {
        std::lock_guard lock(wmu);
        idle = stores.empty();
      }
      if (idle) sample_step(*conn, scan_cursor, scan_partial, next_sample);
    }
    if (!conn_error.ok()) {
      writer_link.broken(conn_error);
      scan_cursor = "0";
      scan_partial = 0;
    }
    if (stop) {
      std::deque<StoreRequest> rest;
      {
        std::lock_guard lock(wmu);
        rest.swap(stores);
      }
      for (auto& r : rest) {
        if (r.done) r.done(absl::CancelledError("redis mailbox stopped"));
      }
      return;
    }
  }
}

}  // namespace rmb::relay
