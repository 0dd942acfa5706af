#pragma once
// Inside RedisMailbox (relay/mailbox/redis.h): the state its two threads share. The public
// calls are in redis.cc, the writer thread in redis_writer.cc, the reader in redis_reader.cc.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "core/redis/reconnecting_conn.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "relay/mailbox/redis.h"

namespace rmb::relay::redis_mailbox {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr size_t kXdelBatch = 128;  // §5.7 delete batching
inline constexpr milliseconds kXdelFlush{10};
inline constexpr size_t kMaxStoreBatch = 512;       // stores pipelined per round trip
inline constexpr size_t kMaxPendingXdels = 100000;  // kept across an outage, then dropped
inline constexpr milliseconds kUnblockRetry{2};
inline constexpr char kTooManyMailboxes[] = "too many mailboxes on this relay";
// A store that may not create a stream (issue 11: the number of mailboxes is bounded). The
// same XADD and EXPIRE as the MULTI of a plain store, refused when the stream is new.
inline constexpr char kGuardedStore[] =
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

}  // namespace rmb::relay::redis_mailbox

namespace rmb::relay {

struct RedisMailbox::Impl {
  Impl(RedisMailboxOptions o, core::RedisUrl u);

  const RedisMailboxOptions opt;
  const core::RedisUrl url;

  // --- writer side ---
  std::mutex wmu;
  std::condition_variable wcv;
  std::deque<redis_mailbox::StoreRequest> stores;
  size_t store_bytes = 0;  // of the frames in `stores`
  std::vector<redis_mailbox::XdelItem> xdels;
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
  // One outage log for both connections: "reachable again" once both are back.
  core::RedisOutageLog outages;
  core::ReconnectingRedis writer_link;  // writer thread only (up() from anywhere)
  core::ReconnectingRedis reader_link;  // reader thread only, closed under smu
  int64_t connected_client_id = -1;     // CLIENT ID of the reader's newest connection

  std::thread writer;
  std::thread reader;

  void queue_xdel(const std::string& key, std::string id) {
    std::lock_guard lock(wmu);
    if (xdels.size() < redis_mailbox::kMaxPendingXdels) xdels.push_back({key, std::move(id)});
    if (xdels.size() == 1 || xdels.size() >= redis_mailbox::kXdelBatch) wcv.notify_one();
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
  absl::Status reader_connected_hook(core::RedisConn& conn);
  bool reader_drop(const absl::Status& why);
  void run_stores(core::RedisConn& conn, std::vector<redis_mailbox::StoreRequest>& batch,
                  std::vector<redis_mailbox::XdelItem>& dels, bool unblock, absl::Status& conn_error,
                  bool& unblock_again);
  void sample_step(core::RedisConn& conn, std::string& cursor, uint64_t& partial,
                   redis_mailbox::SteadyClock::time_point& next_sample);
};

}  // namespace rmb::relay
