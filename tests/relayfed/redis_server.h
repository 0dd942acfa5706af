#pragma once
// A real redis-server for one test: free port on 127.0.0.1, own temp dir, no persistence,
// killed at the end. stop()/start() restart it on the same port.
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace rmb::relay::testing {

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  void start();  // returns once it answers PING
  void stop();   // SIGKILL + wait: an abrupt outage, as a crash would be
  uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
  int port_retries_ = 0;
};

// A port nobody listens on right now (bind to 0, read it back, close).
uint16_t free_port();

}  // namespace rmb::relay::testing
