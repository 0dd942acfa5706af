#pragma once
// A tiny synchronous Redis client for tests, playing the part of an rmb app.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/redis/redis_conn.h"

namespace rmb::test {

class RedisClient {
 public:
  // Connects or fails the test (ADD_FAILURE) and returns nullptr.
  static std::unique_ptr<RedisClient> connect(const std::string& url);

  void lpush(const std::string& list, const std::string& value);
  void rpush(const std::string& list, const std::string& value);
  // BRPOP list <timeout>: the oldest LPUSHed entry, nullopt on timeout.
  std::optional<std::string> brpop(const std::string& list, std::chrono::seconds timeout = std::chrono::seconds(20));
  std::optional<std::string> get(const std::string& key);
  long long integer(const std::vector<std::string>& args);  // LLEN, TTL, EXISTS ...
  std::vector<std::string> lrange(const std::string& list);
  // Any command whose reply is a string or a status (SET, HGET, INFO ...); nullopt else.
  std::optional<std::string> text(const std::vector<std::string>& args);
  // The redis-server's pid (INFO server), e.g. to SIGSTOP it.
  long long server_pid();

 private:
  std::unique_ptr<core::RedisConn> conn_;
};

}  // namespace rmb::test
