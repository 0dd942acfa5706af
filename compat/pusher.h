#pragma once
// Every write of the front door (LPUSH + LTRIM of answers and incoming requests, SETEX of
// backlogs) goes through one Pusher: one thread, one connection, one FIFO, so the order of
// pushes into any list is the order they were queued in. Whatever has queued up is sent
// as one pipeline. When Redis goes away the pusher keeps its queue and retries the
// commands that were not acknowledged after it reconnects (with backoff), so nothing
// already popped is lost to an outage; a command still not written after `give_up` is
// dropped with a log line, and the queue is bounded (push() then refuses).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compat/outage.h"
#include "core/redis/redis_url.h"

namespace rmb::compat {

using Command = std::vector<std::string>;

struct PusherOptions {
  core::RedisUrl url;
  size_t max_queued = 200000;  // commands
  std::chrono::seconds give_up{120};
  std::chrono::milliseconds timeout{5000};  // connect and per-reply socket timeout
};

class Pusher {
 public:
  Pusher(PusherOptions options, OutageLog& outages);
  ~Pusher();  // stop(0)
  Pusher(const Pusher&) = delete;
  Pusher& operator=(const Pusher&) = delete;

  // Queues `commands` to run in order after everything queued before. False when the queue
  // is full or the pusher is stopping.
  bool push(std::vector<Command> commands);
  // Waits up to `drain` for everything queued to be written, then stops the thread (what is
  // left is dropped, with a log line).
  void stop(std::chrono::milliseconds drain);

 private:
  struct Item {
    Command args;
    std::chrono::steady_clock::time_point queued;
  };
  void run();
  bool wait_backoff(std::chrono::milliseconds delay);  // false when stopping
  size_t drop_stale(std::deque<Item>& pending);

  PusherOptions options_;
  OutageLog& outages_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;
  std::thread thread_;
};

}  // namespace rmb::compat
