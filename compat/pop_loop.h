#pragma once
// The blocking pop of the front door: one thread and its own connection running
// `BRPOP msgbus.system.local msgbus.system.reply <timeout>` (local first, as rmb-rs), so
// stop() is noticed within one timeout. Each popped message is handed to `handler` on this
// thread; the handler must not block (the gateway's Outbox is asynchronous). Reconnects
// by itself with backoff when Redis goes away.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compat/outage.h"
#include "core/redis/redis_url.h"

namespace rmb::compat {

class PopLoop {
 public:
  using Handler = std::function<void(const std::string& queue, std::string payload)>;
  PopLoop(core::RedisUrl url, std::vector<std::string> queues, Handler handler, OutageLog& outages,
          std::chrono::seconds pop_timeout = std::chrono::seconds(1));
  ~PopLoop();  // stop()
  PopLoop(const PopLoop&) = delete;
  PopLoop& operator=(const PopLoop&) = delete;

  void start();
  // Returns once the thread has ended (at most about one pop timeout).
  void stop();

 private:
  void run();

  core::RedisUrl url_;
  std::vector<std::string> queues_;
  Handler handler_;
  OutageLog& outages_;
  std::chrono::seconds pop_timeout_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace rmb::compat
