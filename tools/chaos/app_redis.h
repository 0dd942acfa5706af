#pragma once
// The soak's own Redis clients: the callers' LPUSH to msgbus.system.local and BRPOP of
// their `ret` lists, the echo workers' BRPOP msgbus.<cmd> and LPUSH msgbus.system.reply.
//
// They pass through a RedisGate that the fault injector closes around the redis-server
// restart: a command of the soak's own cut by the restart (an LPUSH that ran but whose
// reply never came, a BRPOP that popped into a dead socket) would otherwise be counted
// as the bus's duplicate or loss. rmb-peer and rmb-relay get no such courtesy.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"

namespace rmb::tools::chaos {

// Many users, one closer; a closer waits for the users inside and keeps new ones out
// (writer-preferring, unlike std::shared_mutex on glibc).
class RedisGate {
 public:
  void enter();
  void leave();
  void close();  // returns when nobody is inside
  void open();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  size_t inside_ = 0;
  bool closed_ = false;
};

// One connection for one thread. Commands are retried after a connection error (the
// gate is left while waiting to reconnect); an error *reply* is returned as it is.
class AppRedis {
 public:
  AppRedis(std::string url, RedisGate& gate, const std::atomic<bool>& stop);
  // nullopt only when `stop` was set.
  std::optional<core::RedisReply> run(const std::vector<std::string_view>& args);
  // The last connection error, for a progress line.
  std::string last_error() const { return last_error_; }

 private:
  core::RedisUrl url_;
  RedisGate& gate_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<core::RedisConn> conn_;
  std::string last_error_;
};

}  // namespace rmb::tools::chaos
