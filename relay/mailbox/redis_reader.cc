#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "core/obs/log.h"
#include "core/util/clock.h"
#include "relay/mailbox/envelope_deadline.h"
#include "relay/mailbox/redis_impl.h"

namespace rmb::relay {

using redis_mailbox::milliseconds;
using redis_mailbox::SteadyClock;

// CLIENT ID (for CLIENT UNBLOCK; without it we wait out BLOCK) and a socket timeout past the
// XREAD BLOCK, on every new reader connection.
absl::Status RedisMailbox::Impl::reader_connected_hook(core::RedisConn& conn) {
  connected_client_id = -1;
  auto rep = conn.command({"CLIENT", "ID"});
  if (!rep.ok()) return rep.status();
  if ((*rep)->type == REDIS_REPLY_INTEGER) connected_client_id = (*rep)->integer;
  conn.set_timeout(opt.block + milliseconds(5000));
  return absl::OkStatus();
}

// Drops the reader's connection under smu, so that the destructor's shutdown() never hits a
// closed (or reused) fd. An outage unless stopping; returns whether the mailbox is stopping.
bool RedisMailbox::Impl::reader_drop(const absl::Status& why) {
  std::lock_guard lock(smu);
  reader_fd = -1;
  reader_client_id = -1;
  in_block = false;
  if (reader_stopping || why.ok()) {
    reader_link.close();
  } else {
    reader_link.broken(why);
  }
  return reader_stopping;
}

// ---------------------------------------------------------------------------------------
// Reader: one XREAD BLOCK over every attached session that can take mail.

void RedisMailbox::Impl::reader_loop() {
  core::block_sigpipe_in_this_thread();
  auto sleep_until = [&](SteadyClock::time_point t) {
    std::unique_lock lock(smu);
    rcv.wait_until(lock, t, [&] { return reader_stopping; });
  };
  auto sleep_retry = [&] { sleep_until(SteadyClock::now() + opt.retry_delay); };

  while (true) {
    {
      std::lock_guard lock(smu);
      if (reader_stopping) break;
    }
    if (!reader_link.get()) {
      core::RedisConn* c = reader_link.connect_if_due();
      if (!c) {
        sleep_until(reader_link.next_attempt());
        continue;
      }
      std::lock_guard lock(smu);
      if (reader_stopping) break;
      reader_fd = c->fd();
      reader_client_id = connected_client_id;
    }
    core::RedisConn* conn = reader_link.get();

    // What to read: sessions with a sink that has not refused.
    struct Target {
      SessionId id;
      std::string key;
      std::string last_id;
      uint64_t gen;
    };
    std::vector<Target> targets;
    {
      std::unique_lock lock(smu);
      for (auto& [id, s] : sessions) {
        if (s.sink && !s.paused) targets.push_back({id, stream_key(id), s.last_id, s.gen});
      }
      if (targets.empty()) {
        uint64_t seen = epoch;
        rcv.wait(lock, [&] { return reader_stopping || epoch != seen; });
        continue;
      }
      in_block = true;
      block_epoch = epoch;
    }
    const std::string count = std::to_string(opt.read_count);
    const std::string block = std::to_string(opt.block.count());
    std::vector<std::string_view> args = {"XREAD", "COUNT", count, "BLOCK", block, "STREAMS"};
    for (auto& t : targets) args.push_back(t.key);
    for (auto& t : targets) args.push_back(t.last_id);
    auto rep = conn->command(args);
    {
      std::lock_guard lock(smu);
      in_block = false;
    }
    if (!rep.ok()) {
      if (reader_drop(rep.status())) break;
      sleep_until(reader_link.next_attempt());
      continue;
    }
    const redisReply* r = rep->get();
    if (r->type == REDIS_REPLY_NIL) continue;  // BLOCK timed out or CLIENT UNBLOCK
    if (r->type == REDIS_REPLY_ERROR) {
      // E.g. WRONGTYPE when something else owns a stream:* key. Not an outage.
      core::log_warn("redis mailbox: XREAD failed: ", absl::string_view(r->str, r->len));
      sleep_retry();
      continue;
    }
    if (r->type != REDIS_REPLY_ARRAY) continue;

    const uint64_t now = rmb::core::unix_now();
    for (size_t si = 0; si < r->elements; ++si) {
      const redisReply* stream = r->element[si];
      if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) continue;
      absl::string_view key(stream->element[0]->str, stream->element[0]->len);
      auto target = std::find_if(targets.begin(), targets.end(), [&](const Target& t) { return t.key == key; });
      if (target == targets.end()) continue;
      const redisReply* entries = stream->element[1];
      for (size_t ei = 0; ei < entries->elements; ++ei) {
        const redisReply* entry = entries->element[ei];
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING) {
          continue;
        }
        std::string entry_id(entry->element[0]->str, entry->element[0]->len);
        const redisReply* fields = entry->element[1];
        std::optional<std::string_view> body;
        if (fields->type == REDIS_REPLY_ARRAY) {
          for (size_t f = 0; f + 1 < fields->elements; f += 2) {
            if (std::string_view(fields->element[f]->str, fields->element[f]->len) == "_") {
              body = std::string_view(fields->element[f + 1]->str, fields->element[f + 1]->len);
            }
          }
        }
        std::shared_ptr<MailboxSink> sink;
        {
          std::lock_guard lock(smu);
          auto it = sessions.find(target->id);
          if (it == sessions.end() || it->second.gen != target->gen || it->second.paused) break;
          sink = it->second.sink;
        }
        bool accepted = true;
        bool offered = false;
        if (!body) {
          core::log_warn("redis mailbox: entry ", entry_id, " in ", key, " has no '_' field; deleted");
        } else if (auto deadline = envelope_deadline(*body); deadline && *deadline < now) {
          core::log_debug("redis mailbox: expired entry ", entry_id, " in ", key, " deleted");
        } else {
          // Deleted only once written to the socket (§5.7 step 4): a frame still queued in
          // the session when the relay dies or the connection ends stays in the stream, in
          // order, for the next attach.
          offered = true;
          accepted =
              sink->offer(std::make_shared<const std::string>(*body),
                          [this, key = target->key, id = entry_id]() mutable { queue_xdel(key, std::move(id)); });
        }
        std::lock_guard lock(smu);
        auto it = sessions.find(target->id);
        bool same = it != sessions.end() && it->second.gen == target->gen;
        if (!accepted) {
          if (same) it->second.paused = true;  // the rest stays queued until resume()
          break;
        }
        if (same) it->second.last_id = entry_id;
        if (!offered) queue_xdel(target->key, std::move(entry_id));
      }
    }
  }
  reader_drop(absl::OkStatus());
}

}  // namespace rmb::relay
