#pragma once
// Every write of the front door (LPUSH + LTRIM of answers and incoming requests, SETEX of
// backlogs) goes through one Pusher: one thread, one connection, one FIFO, so the order of
// pushes into any list is the order they were queued in. Whatever has queued up is sent
// as one pipeline. When Redis goes away the pusher keeps its queue and retries the
// commands that were not acknowledged after it reconnects (core::ReconnectingRedis: backoff,
// one log line per outage), so nothing
// already popped is lost to an outage; a command still not written after `give_up` is
// dropped with a log line, and the queue is bounded (push() then refuses).
// Besides plain writes: atomic groups (MULTI ... EXEC, sent again whole when the connection
// breaks inside one) and queries whose reply is handed to a callback on the pusher's
// thread (the backlog lookups of replies that arrive after a restart).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/redis/reconnecting_conn.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"

namespace rmb::compat {

using Command = std::vector<std::string>;
// Gets a query's reply (nullptr when the query was dropped: too old, or the pusher stopped
// with it unsent) and returns commands to queue next (after everything queued so far; not
// refused while stopping, so what a lookup found still gets written during the drain).
using ReplyHandler = std::function<std::vector<Command>(const redisReply* reply)>;

struct PusherOptions {
  core::RedisUrl url;
  size_t max_queued = 200000;  // commands
  std::chrono::seconds give_up{120};
  std::chrono::milliseconds timeout{5000};  // connect and per-reply socket timeout
};

class Pusher {
 public:
  // `outages` (shared by every connection to this Redis) must outlive this.
  Pusher(PusherOptions options, core::RedisOutageLog& outages);
  ~Pusher();  // stop(0)
  Pusher(const Pusher&) = delete;
  Pusher& operator=(const Pusher&) = delete;

  // Queues `commands` to run in order after everything queued before. False when the queue
  // is full or the pusher is stopping.
  bool push(std::vector<Command> commands);
  // Like push(), run inside MULTI ... EXEC: Redis applies all of them or none, also when
  // the pusher dies in the middle of writing them.
  bool push_atomic(std::vector<Command> commands);
  // Queues `command`; `on_reply` gets its reply on the pusher's thread (must not block).
  bool query(Command command, ReplyHandler on_reply);
  // Waits up to `drain` for everything queued to be written, then stops the thread (what is
  // left is dropped, with a log line).
  void stop(std::chrono::milliseconds drain);

 private:
  struct Item {
    Command args;
    std::chrono::steady_clock::time_point queued;
    ReplyHandler on_reply;  // queries only
    size_t atomic_pos = 0;  // > 0: inside a MULTI group, this far after its MULTI
  };
  bool enqueue(std::vector<Item> items, bool even_if_stopping);
  // Runs a query's handler (nullptr: no reply) and queues what it returns.
  void answer(Item& item, const redisReply* reply);
  void run();
  // Sleeps until `t` (at most to the drain deadline once stopping) or until stop().
  void wait_until(std::chrono::steady_clock::time_point t);
  size_t drop_stale(std::deque<Item>& pending);

  PusherOptions options_;
  core::ReconnectingRedis link_;  // the pusher's thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;
  std::thread thread_;
};

}  // namespace rmb::compat
