#pragma once
// One blocking pop of the front door: its own thread and connection running
// `BLMOVE <queue> <processing> RIGHT LEFT <timeout>`, so a popped message stays in Redis
// (in the processing list) until the handler has made it safe and removed it, and stop()
// is noticed within one timeout. Each message is handed to `on_message` on this thread
// with the connection, for the handler's own synchronous writes; on every (re)connect
// `on_connected` runs first (to take up what the processing list still holds). Handlers
// must not block on anything but this connection (the gateway's Outbox is asynchronous).
// Reconnects by itself (core::ReconnectingRedis: backoff, one log line per outage) when
// Redis goes away. A Redis older than 6.2 (no BLMOVE) gets BRPOPLPUSH, the same move.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/redis/reconnecting_conn.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"

namespace rmb::compat {

struct PopHandlers {
  // False: the connection broke (the loop reconnects and calls on_connected again).
  std::function<bool(core::RedisConn& conn)> on_connected;
  std::function<bool(core::RedisConn& conn, std::string payload)> on_message;
};

class PopLoop {
 public:
  // `outages` (shared by every connection to this Redis) must outlive this.
  PopLoop(core::RedisUrl url, std::string queue, std::string processing, PopHandlers handlers,
          core::RedisOutageLog& outages, std::chrono::seconds pop_timeout = std::chrono::seconds(1));
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
  const std::chrono::seconds pop_timeout_;
  core::ReconnectingRedis link_;  // the loop's thread only
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace rmb::compat
