#pragma once
// One Redis connection that comes back after an outage, for a thread that owns it (the relay
// mailbox's writer and reader, the federation queue's). Attempts are spaced by a bounded
// exponential backoff, and the connections of one Redis share a RedisOutageLog, so
// "unavailable" is logged at the first failure of an outage and "reachable again" once every
// connection that failed is back, whatever the number of connections or attempts.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"

namespace rmb::core {

// The "unavailable" / "reachable again" pair, once per outage of one Redis. `subject` starts
// both lines (e.g. "redis mailbox: redis://host:6379"); thread-safe.
class RedisOutageLog {
 public:
  RedisOutageLog(std::string subject, std::string retry_note)
      : subject_(std::move(subject)), retry_(std::move(retry_note)) {}
  void down(std::string_view connection, const absl::Status& why);
  void up(std::string_view connection);

 private:
  std::mutex mu_;
  const std::string subject_;
  const std::string retry_;                  // said after "unavailable (...)", e.g. "retrying every 2000 ms"
  std::set<std::string, std::less<>> down_;  // connections that failed and are not back yet
  bool logged_ = false;
};

// first, 2 x first, ... up to max; back to first once a connection is made.
struct RedisBackoff {
  std::chrono::milliseconds first{50};
  std::chrono::milliseconds max{2000};
};

class ReconnectingRedis {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs on every new connection before it is handed out (CLIENT ID, a longer timeout, ...);
  // an error counts as a failed attempt.
  using OnConnect = std::function<absl::Status(RedisConn&)>;

  // `log` must outlive this. `name` tells this connection apart in the outage log.
  ReconnectingRedis(RedisUrl url, std::string name, std::chrono::milliseconds connect_timeout, RedisBackoff backoff,
                    RedisOutageLog& log, OnConnect on_connect = {});

  // The connection, or nullptr while there is none.
  RedisConn* get() const { return conn_.get(); }
  // When none is held and the backoff allows it, connects (logging a recovery) and returns
  // the new connection; nullptr when not due yet or when the attempt failed.
  RedisConn* connect_if_due();
  // When connect_if_due() may try again (now while connected).
  Clock::time_point next_attempt() const { return next_attempt_; }
  // The connection failed: drop it, log the outage, wait a backoff before the next attempt.
  void broken(const absl::Status& why);
  // Drop the connection without an outage (shutting down).
  void close();
  // True while a connection is held; readable from any thread.
  bool up() const { return up_.load(); }

 private:
  void failed(const absl::Status& why);

  const RedisUrl url_;
  const std::string name_;
  const std::chrono::milliseconds connect_timeout_;
  const RedisBackoff backoff_;
  RedisOutageLog& log_;
  OnConnect on_connect_;
  std::unique_ptr<RedisConn> conn_;
  std::chrono::milliseconds delay_;
  Clock::time_point next_attempt_ = Clock::now();
  std::atomic<bool> up_{false};
};

// hiredis writes with write(2), so writing to a connection Redis has closed (a restart, or
// our own shutdown() on stop) raises SIGPIPE, whose default action kills the whole process.
// Blocked in the threads that own Redis connections, the signal stays pending there and the
// write fails with EPIPE, which is handled like any other outage.
void block_sigpipe_in_this_thread();

}  // namespace rmb::core
