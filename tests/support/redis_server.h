#pragma once
// A real redis-server for one test: 127.0.0.1:<free port> (optionally also a unix socket
// and a password), its own temp dir, no persistence. kill() is an abrupt outage (SIGKILL);
// restart() brings it back on the same port, empty.
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/process.h"

namespace rmb::test {

struct RedisServerOptions {
  std::string password;      // requirepass when not empty
  bool unix_socket = false;  // also listen on <dir>/redis.sock
};

class RedisServer {
 public:
  static absl::StatusOr<std::unique_ptr<RedisServer>> start(RedisServerOptions options = {});
  ~RedisServer();

  void kill();
  absl::Status restart();  // returns once it answers PING
  bool running() const { return process_ != nullptr; }

  uint16_t port() const { return port_; }
  // redis://[:password@]127.0.0.1:<port>
  std::string url() const;
  std::string unix_path() const { return dir_ + "/redis.sock"; }

 private:
  RedisServer() = default;
  // AlreadyExists when another redis-server holds the port.
  absl::Status launch();
  long answering_pid() const;

  RedisServerOptions options_;
  uint16_t port_ = 0;
  std::string dir_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace rmb::test
