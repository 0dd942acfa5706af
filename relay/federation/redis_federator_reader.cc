#include <algorithm>
#include <utility>

#include "core/obs/log.h"
#include "relay/federation/redis_federator_impl.h"

namespace rmb::relay {

using redis_federation::Entry;
using redis_federation::is_nogroup;
using redis_federation::kReadCount;
using redis_federation::parse_entry;
using redis_federation::str;

// ---------------------------------------------------------------------------------------
// Reader: XREADGROUP of new entries while this process has room.

void RedisFederator::Impl::reader_loop() {
  core::block_sigpipe_in_this_thread();
  auto sleep_until = [&](std::chrono::steady_clock::time_point t) {
    std::unique_lock lock(mu);
    rcv.wait_until(lock, t, [&] { return stopping; });
  };
  auto sleep_retry = [&] { sleep_until(std::chrono::steady_clock::now() + opt.retry_delay); };
  const std::string block = std::to_string(opt.block.count());
  while (true) {
    size_t room = 0;
    {
      std::unique_lock lock(mu);
      rcv.wait(lock, [&] { return stopping || in_flight.size() < opt.concurrency; });
      if (stopping) break;
      room = opt.concurrency - in_flight.size();
    }
    if (!reader_link.get()) {
      core::RedisConn* c = reader_link.connect_if_due();
      if (!c) {
        sleep_until(reader_link.next_attempt());
        continue;
      }
      std::lock_guard lock(mu);
      if (stopping) break;
      reader_fd = c->fd();
    }
    core::RedisConn* conn = reader_link.get();
    const std::string count = std::to_string(std::min(kReadCount, room));
    auto r = conn->command({"XREADGROUP", "GROUP", kFederationGroup, opt.consumer, "COUNT", count, "BLOCK", block,
                            "STREAMS", kFederationStream, ">"});
    if (!r.ok()) {
      {
        // Under mu: the destructor's shutdown() must never hit a closed (or reused) fd.
        std::lock_guard lock(mu);
        reader_fd = -1;
        if (stopping) {
          reader_link.close();
          break;
        }
        reader_link.broken(r.status());
      }
      sleep_until(reader_link.next_attempt());
      continue;
    }
    const redisReply* reply = r->get();
    if (is_nogroup(reply)) {
      (void)create_group(*conn);
      continue;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      core::log_warn("federation queue: XREADGROUP failed: ", str(reply));
      sleep_retry();
      continue;
    }
    if (reply->type != REDIS_REPLY_ARRAY) continue;  // BLOCK timed out
    std::vector<Entry> work;
    std::vector<std::string> empty;
    {
      std::lock_guard lock(mu);
      for (size_t s = 0; s < reply->elements; ++s) {
        const redisReply* stream = reply->element[s];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) continue;
        const redisReply* entries = stream->element[1];
        for (size_t e = 0; entries->type == REDIS_REPLY_ARRAY && e < entries->elements; ++e) {
          auto entry = parse_entry(entries->element[e]);
          if (!entry) continue;
          if (!entry->msg) {
            empty.push_back(entry->id);
          } else if (in_flight.insert(entry->id).second) {
            work.push_back(std::move(*entry));
          }
        }
      }
    }
    for (auto& id : empty) finish(id, true);
    for (auto& e : work) dispatch(std::move(e.id), std::move(*e.msg));
  }
  std::lock_guard lock(mu);
  reader_fd = -1;
  reader_link.close();
}

}  // namespace rmb::relay
