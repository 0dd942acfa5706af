#include "relay/mailbox/redis.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "core/util/clock.h"
#include "relay/mailbox/envelope_deadline.h"

namespace rmb::relay {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kXdelBatch = 128;  // §5.7 delete batching
constexpr milliseconds kXdelFlush{10};
constexpr size_t kMaxStoreBatch = 512;       // stores pipelined per round trip
constexpr size_t kMaxPendingXdels = 100000;  // kept across an outage, then dropped
constexpr milliseconds kUnblockRetry{2};
constexpr char kTooManyMailboxes[] = "too many mailboxes on this relay";
// A store that may not create a stream (issue 11: the number of mailboxes is bounded). The
// same XADD and EXPIRE as the MULTI of a plain store, refused when the stream is new.
constexpr char kGuardedStore[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('too many mailboxes on this relay') end "
    "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', '_', ARGV[2]) "
    "redis.call('EXPIRE', KEYS[1], ARGV[3]) return id";

struct StoreRequest {
  std::string key;
  Frame frame;  // null: refused because the queue was full
  Mailbox::Done done;
};

struct XdelItem {
  std::string key;
  std::string id;
};

// hiredis writes with write(2), so writing to a connection Redis has closed (a restart, or our
// own shutdown() on stop) raises SIGPIPE, whose default action kills the whole process. Blocked
// in the mailbox's own threads, the signal stays pending there and the write fails with EPIPE,
// which is handled like any other outage.
void block_sigpipe_in_this_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

struct RedisMailbox::Impl {
  RedisMailboxOptions opt;
  core::RedisUrl url;

  // --- writer side ---
  std::mutex wmu;
  std::condition_variable wcv;
  std::deque<StoreRequest> stores;
  size_t store_bytes = 0;  // of the frames in `stores`
  std::vector<XdelItem> xdels;
  bool unblock_wanted = false;
  bool stopping = false;

  // --- sessions / reader side ---
  struct Session {
    std::shared_ptr<MailboxSink> sink;
    std::string last_id = "0-0";
    bool paused = false;
    uint64_t gen = 0;
  };
  mutable std::mutex smu;
  std::condition_variable rcv;
  std::map<SessionId, Session> sessions;  // ordered by (twin, sid), as rmb-rs sorts keys
  uint64_t next_gen = 1;
  uint64_t epoch = 0;        // bumps whenever the set of readable sessions grows
  bool in_block = false;     // reader is (about to be) inside XREAD BLOCK
  uint64_t block_epoch = 0;  // epoch the current XREAD was built from
  bool reader_stopping = false;
  int64_t reader_client_id = -1;
  int reader_fd = -1;  // for shutdown() on stop; guarded by smu

  std::atomic<uint64_t> depth{0};
  uint64_t db_keys = 0;  // DBSIZE after the last store batch (writer thread only)
  std::atomic<bool> writer_up{false};
  std::atomic<bool> reader_up{false};
  std::atomic<bool> outage_logged{false};

  std::thread writer;
  std::thread reader;

  // Logs the first failure of an outage only; the next success logs the recovery.
  void note_down(const absl::Status& s) {
    if (!outage_logged.exchange(true)) {
      core::log_warn("redis mailbox: ", url.display(), " unavailable (", s.message(), "); retrying every ",
                     opt.retry_delay.count(), " ms");
    }
  }
  void note_up() {
    if (writer_up && reader_up && outage_logged.exchange(false)) {
      core::log_info("redis mailbox: ", url.display(), " reachable again");
    }
  }

  void queue_xdel(const std::string& key, std::string id) {
    std::lock_guard lock(wmu);
    if (xdels.size() < kMaxPendingXdels) xdels.push_back({key, std::move(id)});
    if (xdels.size() == 1 || xdels.size() >= kXdelBatch) wcv.notify_one();
  }

  void wake_reader_locked() {
    ++epoch;
    rcv.notify_all();
    if (in_block) {
      std::lock_guard lock(wmu);
      unblock_wanted = true;
      wcv.notify_one();
    }
  }

  void writer_loop();
  void reader_loop();
  void run_stores(core::RedisConn& conn, std::vector<StoreRequest>& batch, std::vector<XdelItem>& dels, bool unblock,
                  absl::Status& conn_error, bool& unblock_again);
  void sample_step(core::RedisConn& conn, std::string& cursor, uint64_t& partial, SteadyClock::time_point& next_sample);
};

std::string RedisMailbox::stream_key(const SessionId& id) { return "stream:" + id.to_string(); }

absl::StatusOr<std::unique_ptr<RedisMailbox>> RedisMailbox::create(RedisMailboxOptions options) {
  auto url = core::parse_redis_url(options.url);
  if (!url.ok()) return url.status();
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->url = *url;
  Impl* raw = impl.get();
  raw->writer = std::thread([raw] { raw->writer_loop(); });
  raw->reader = std::thread([raw] { raw->reader_loop(); });
  return std::unique_ptr<RedisMailbox>(new RedisMailbox(std::move(impl)));
}

RedisMailbox::RedisMailbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisMailbox::~RedisMailbox() {
  {
    std::lock_guard lock(impl_->smu);
    impl_->reader_stopping = true;
    // A blocked XREAD returns at once when its socket is shut down.
    if (impl_->reader_fd >= 0) ::shutdown(impl_->reader_fd, SHUT_RDWR);
    impl_->rcv.notify_all();
  }
  impl_->reader.join();
  {
    std::lock_guard lock(impl_->wmu);
    impl_->stopping = true;
    impl_->wcv.notify_all();
  }
  impl_->writer.join();
}

void RedisMailbox::store(const SessionId& to, Frame frame, uint64_t /*expires_at*/, Done done) {
  // The expiry travels inside the envelope (rmb-rs layout has no room for another field).
  std::lock_guard lock(impl_->wmu);
  if (impl_->stores.size() >= impl_->opt.max_queued_stores ||
      impl_->store_bytes + frame->size() > impl_->opt.max_queued_bytes) {
    frame.reset();  // refused by the writer, in order with the rest ("queue is full")
  } else {
    impl_->store_bytes += frame->size();
  }
  impl_->stores.push_back({stream_key(to), std::move(frame), std::move(done)});
  impl_->wcv.notify_one();
}

void RedisMailbox::attach(const SessionId& id, std::shared_ptr<MailboxSink> sink) {
  std::lock_guard lock(impl_->smu);
  auto& s = impl_->sessions[id];
  s.sink = std::move(sink);
  s.last_id = "0-0";  // a new connection gets everything still queued, oldest first
  s.paused = false;
  s.gen = impl_->next_gen++;
  impl_->wake_reader_locked();
}

void RedisMailbox::detach(const SessionId& id, const MailboxSink* sink) {
  std::lock_guard lock(impl_->smu);
  auto it = impl_->sessions.find(id);
  if (it != impl_->sessions.end() && it->second.sink.get() == sink) impl_->sessions.erase(it);
}

void RedisMailbox::resume(const SessionId& id) {
  std::lock_guard lock(impl_->smu);
  auto it = impl_->sessions.find(id);
  if (it == impl_->sessions.end() || !it->second.paused) return;
  it->second.paused = false;
  impl_->wake_reader_locked();
}

uint64_t RedisMailbox::depth() const { return impl_->depth.load(std::memory_order_relaxed); }

bool RedisMailbox::connected() const { return impl_->writer_up && impl_->reader_up; }

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
  block_sigpipe_in_this_thread();
  std::unique_ptr<core::RedisConn> conn;
  auto next_connect = SteadyClock::now();
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
        if (!conn) deadline = std::max(deadline, next_connect);
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
    if (!conn && SteadyClock::now() >= next_connect) {
      auto c = core::RedisConn::connect(url, opt.retry_delay);
      if (c.ok()) {
        conn = std::move(*c);
        writer_up = true;
        note_up();
        unblock = true;  // the reader may be blocked on a list that is out of date
      } else {
        writer_up = false;
        note_down(c.status());
        next_connect = SteadyClock::now() + opt.retry_delay;
      }
    }
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
      note_down(conn_error);
      conn.reset();
      writer_up = false;
      next_connect = SteadyClock::now() + opt.retry_delay;
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

// ---------------------------------------------------------------------------------------
// Reader: one XREAD BLOCK over every attached session that can take mail.

void RedisMailbox::Impl::reader_loop() {
  block_sigpipe_in_this_thread();
  std::unique_ptr<core::RedisConn> conn;
  const auto sock_timeout = opt.block + milliseconds(5000);
  auto sleep_retry = [&] {
    std::unique_lock lock(smu);
    rcv.wait_for(lock, opt.retry_delay, [&] { return reader_stopping; });
  };
  auto drop_conn = [&] {
    std::lock_guard lock(smu);
    reader_fd = -1;
    reader_client_id = -1;
    in_block = false;
    conn.reset();  // closes the fd while nobody can shutdown() it
  };

  while (true) {
    {
      std::lock_guard lock(smu);
      if (reader_stopping) break;
    }
    if (!conn) {
      auto c = core::RedisConn::connect(url, opt.retry_delay);
      absl::Status s = c.status();
      int64_t id = -1;
      if (c.ok()) {
        auto rep = (*c)->command({"CLIENT", "ID"});
        if (!rep.ok()) {
          s = rep.status();
        } else if ((*rep)->type == REDIS_REPLY_INTEGER) {
          id = (*rep)->integer;  // used for CLIENT UNBLOCK; without it we wait out BLOCK
        }
      }
      if (!s.ok()) {
        reader_up = false;
        note_down(s);
        sleep_retry();
        continue;
      }
      (*c)->set_timeout(sock_timeout);
      std::lock_guard lock(smu);
      if (reader_stopping) break;
      conn = std::move(*c);
      reader_fd = conn->fd();
      reader_client_id = id;
      reader_up = true;
      note_up();
    }

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
      bool stopping_now;
      {
        std::lock_guard lock(smu);
        stopping_now = reader_stopping;
      }
      drop_conn();
      reader_up = false;
      if (stopping_now) break;
      note_down(rep.status());
      sleep_retry();
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
  drop_conn();
}

}  // namespace rmb::relay
