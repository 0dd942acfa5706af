#pragma once
// One blocking pop of the front door: its own thread and connection running
// `BLMOVE <queue> <processing> RIGHT LEFT <timeout>`, so a popped message stays in Redis
// (in the processing list) until the handler has made it safe and removed it, and stop()
// is noticed within one timeout. Under load it pops in batches: each pop also asks LLEN,
// and while messages are waiting the next pop is that many non-blocking LMOVEs (up to
// `max_batch`), so a round trip serves many messages. The handler gets the popped messages
// on this thread and returns the writes that make them safe; they go to Redis as one
// MULTI ... EXEC together with the next pop (one round trip for both), and the handler's
// `then` runs once Redis has answered them. On every (re)connect `on_connected` runs first
// (to take up what the processing list still holds), with the connection for its own
// synchronous writes. Handlers must not block on anything but this connection (the
// gateway's Outbox is asynchronous). Reconnects by itself (core::ReconnectingRedis: backoff,
// one log line per outage) when Redis goes away. A Redis older than 6.2 (no BLMOVE/LMOVE)
// gets BRPOPLPUSH/RPOPLPUSH, the same moves.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compat/pusher.h"
#include "core/redis/reconnecting_conn.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"

namespace rmb::compat {

// What makes messages popped together safe: `writes`, applied as one MULTI ... EXEC (none:
// nothing to write), then `then(true)` once Redis has answered them, or `then(false)` when
// the connection broke first (whether Redis applied them is then unknown). Not `atomic`:
// sent as they are, for writes of which every prefix is a safe state (Redis runs one
// connection's commands in order, so a broken connection leaves a prefix applied).
struct PopBatch {
  std::vector<Command> writes;
  std::function<void(bool written)> then;
  bool atomic = true;
};

struct PopHandlers {
  // False: the connection broke (the loop reconnects and calls on_connected again).
  std::function<bool(core::RedisConn& conn)> on_connected;
  // Messages popped together, oldest first.
  std::function<PopBatch(std::vector<std::string> payloads)> on_messages;
};

// The batch's writes (in MULTI ... EXEC when atomic) into the connection's output (sent by
// the next reply()).
void append_writes(core::RedisConn& conn, const PopBatch& batch);
// Reads the replies of an append_writes() of `batch`, logging what Redis refused. False
// when the connection broke.
bool await_writes(core::RedisConn& conn, const PopBatch& batch);

class PopLoop {
 public:
  // `outages` (shared by every connection to this Redis) must outlive this.
  PopLoop(core::RedisUrl url, std::string queue, std::string processing, PopHandlers handlers,
          core::RedisOutageLog& outages, size_t max_batch, std::chrono::seconds pop_timeout = std::chrono::seconds(1));
  ~PopLoop();  // stop()
  PopLoop(const PopLoop&) = delete;
  PopLoop& operator=(const PopLoop&) = delete;

  void start();
  // Asks the thread to end, without waiting (several loops then end in one pop timeout).
  void request_stop();
  // Returns once the thread has ended (at most about one pop timeout).
  void stop();

 private:
  void run();
  absl::Status connected(core::RedisConn& conn);
  // Sleeps until `t` or until stop is requested.
  void wait_until(core::ReconnectingRedis::Clock::time_point t);

  const std::string queue_;
  const std::string processing_;
  PopHandlers handlers_;
  const size_t max_batch_;
  const std::chrono::seconds pop_timeout_;
  core::ReconnectingRedis link_;  // the loop's thread only
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace rmb::compat
