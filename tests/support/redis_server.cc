#include "tests/support/redis_server.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <hiredis/hiredis.h>

#include "absl/strings/str_cat.h"
#include "tests/support/twins.h"

namespace rmb::test {

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::start(RedisServerOptions options) {
  std::unique_ptr<RedisServer> s(new RedisServer());
  s->options_ = std::move(options);
  s->port_ = free_port();
  s->dir_ = make_temp_dir("rmb-redis");
  if (auto st = s->launch(); !st.ok()) return st;
  return s;
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url() const {
  return absl::StrCat("redis://", options_.password.empty() ? "" : absl::StrCat(":", options_.password, "@"),
                      "127.0.0.1:", port_);
}

void RedisServer::kill() {
  if (process_) process_->stop(SIGKILL);
  process_.reset();
}

absl::Status RedisServer::restart() {
  kill();
  return launch();
}

absl::Status RedisServer::launch() {
  std::vector<std::string> argv = {"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
                                   "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir_,
                                   "--logfile", dir_ + "/redis.log"};
  if (!options_.password.empty()) {
    argv.insert(argv.end(), {"--requirepass", options_.password});
  }
  if (options_.unix_socket) {
    argv.insert(argv.end(), {"--unixsocket", unix_path(), "--unixsocketperm", "700"});
  }
  auto p = ChildProcess::spawn(argv);
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  // Ready when it answers PING (NOAUTH also proves it is up).
  for (int i = 0; i < 200; ++i) {
    timeval tv{0, 200000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    bool up = false;
    if (c != nullptr && c->err == 0) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      up = r != nullptr && (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR);
      if (r) freeReplyObject(r);
    }
    if (c) redisFree(c);
    if (up) return absl::OkStatus();
    if (!process_->running()) return absl::InternalError("redis-server exited at start (see its log)");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError("redis-server did not answer PING");
}

}  // namespace rmb::test
