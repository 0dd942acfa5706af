#include "tools/chaos/app_redis.h"

#include <thread>

#include "tools/command.h"

namespace rmb::tools::chaos {

void RedisGate::enter() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return !closed_; });
  ++inside_;
}

void RedisGate::leave() {
  std::lock_guard lock(mutex_);
  --inside_;
  cv_.notify_all();
}

void RedisGate::close() {
  std::unique_lock lock(mutex_);
  closed_ = true;
  cv_.wait(lock, [&] { return inside_ == 0; });
}

void RedisGate::open() {
  std::lock_guard lock(mutex_);
  closed_ = false;
  cv_.notify_all();
}

AppRedis::AppRedis(std::string url, RedisGate& gate, const std::atomic<bool>& stop) : gate_(gate), stop_(stop) {
  auto parsed = core::parse_redis_url(url);
  if (!parsed.ok()) throw failure("bad Redis URL " + url + ": " + std::string(parsed.status().message()));
  url_ = *parsed;
}

std::optional<core::RedisReply> AppRedis::run(const std::vector<std::string_view>& args) {
  // Longer than any BRPOP timeout the soak uses.
  constexpr auto kIoTimeout = std::chrono::seconds(10);
  while (!stop_.load()) {
    gate_.enter();
    if (!conn_) {
      auto c = core::RedisConn::connect(url_, kIoTimeout);
      if (c.ok()) {
        conn_ = std::move(*c);
      } else {
        last_error_ = std::string(c.status().message());
      }
    }
    if (conn_) {
      auto r = conn_->command(args);
      if (r.ok()) {
        gate_.leave();
        return std::move(*r);
      }
      last_error_ = std::string(r.status().message());
      conn_.reset();
    }
    gate_.leave();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

}  // namespace rmb::tools::chaos
