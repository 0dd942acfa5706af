#include "core/redis/reconnecting_conn.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>

#include "core/obs/log.h"

namespace rmb::core {

void RedisOutageLog::down(std::string_view connection, const absl::Status& why) {
  std::lock_guard lock(mu_);
  down_.emplace(connection);
  if (logged_) return;
  logged_ = true;
  log_warn(subject_, " unavailable (", why.message(), "); ", retry_);
}

void RedisOutageLog::up(std::string_view connection) {
  std::lock_guard lock(mu_);
  if (auto it = down_.find(connection); it != down_.end()) down_.erase(it);
  if (!logged_ || !down_.empty()) return;
  logged_ = false;
  log_info(subject_, " reachable again");
}

ReconnectingRedis::ReconnectingRedis(RedisUrl url, std::string name, std::chrono::milliseconds connect_timeout,
                                     RedisBackoff backoff, RedisOutageLog& log, OnConnect on_connect)
    : url_(std::move(url)),
      name_(std::move(name)),
      connect_timeout_(connect_timeout),
      backoff_(backoff),
      log_(log),
      on_connect_(std::move(on_connect)),
      delay_(backoff.first) {}

RedisConn* ReconnectingRedis::connect_if_due() {
  if (conn_ || Clock::now() < next_attempt_) return nullptr;
  auto c = RedisConn::connect(url_, connect_timeout_);
  absl::Status s = c.status();
  if (s.ok() && on_connect_) s = on_connect_(**c);
  if (!s.ok()) {
    failed(s);
    return nullptr;
  }
  conn_ = std::move(*c);
  delay_ = backoff_.first;
  up_ = true;
  log_.up(name_);
  return conn_.get();
}

void ReconnectingRedis::failed(const absl::Status& why) {
  up_ = false;
  log_.down(name_, why);
  next_attempt_ = Clock::now() + delay_;
  delay_ = std::min(delay_ * 2, backoff_.max);
}

void ReconnectingRedis::broken(const absl::Status& why) {
  conn_.reset();
  failed(why);
}

void ReconnectingRedis::close() {
  conn_.reset();
  up_ = false;
}

void block_sigpipe_in_this_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace rmb::core
