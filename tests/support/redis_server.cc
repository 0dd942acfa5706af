#include "tests/support/redis_server.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <thread>

#include <hiredis/hiredis.h>

#include "absl/strings/str_cat.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::test {

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::start(RedisServerOptions options) {
  std::unique_ptr<RedisServer> s(new RedisServer());
  s->options_ = std::move(options);
  s->dir_ = make_temp_dir("rmb-redis");
  // free_port() races with parallel tests: a server that loses its port exits, and the
  // next free one is tried.
  absl::Status st;
  for (int attempt = 0; attempt < 5; ++attempt) {
    s->port_ = free_port();
    st = s->launch();
    if (st.ok() || !absl::IsAlreadyExists(st)) break;
  }
  if (!st.ok()) return st;
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

// The process_id of the redis-server answering on our port, or 0 when none answers.
long RedisServer::answering_pid() const {
  timeval tv{0, 200000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  long pid = 0;
  if (c != nullptr && c->err == 0) {
    if (!options_.password.empty()) {
      if (auto* a = static_cast<redisReply*>(redisCommand(c, "AUTH %s", options_.password.c_str()))) {
        freeReplyObject(a);
      }
    }
    if (auto* r = static_cast<redisReply*>(redisCommand(c, "INFO server"))) {
      if (r->type == REDIS_REPLY_STRING) {
        const std::string_view info(r->str, r->len);
        const auto at = info.find("process_id:");
        if (at != std::string_view::npos)
          pid = std::strtol(info.data() + at + 11, nullptr, 10);
        else
          pid = -1;
      } else {
        pid = -1;  // someone answers, but not to us (wrong password: not ours)
      }
      freeReplyObject(r);
    }
  }
  if (c) redisFree(c);
  return pid;
}

absl::Status RedisServer::launch() {
  std::vector<std::string> argv = {"/usr/bin/redis-server",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--dir",
                                   dir_,
                                   "--logfile",
                                   dir_ + "/redis.log"};
  if (!options_.password.empty()) {
    argv.insert(argv.end(), {"--requirepass", options_.password});
  }
  if (options_.unix_socket) {
    argv.insert(argv.end(), {"--unixsocket", unix_path(), "--unixsocketperm", "700"});
  }
  auto p = ChildProcess::spawn(argv);
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  // Ready when it answers, and it is ours: with ports picked by free_port() a parallel
  // test's redis-server may hold the port, so the answering server's process_id is checked.
  for (int i = 0; i < 200; ++i) {
    const auto pid = answering_pid();
    if (pid == process_->pid()) return absl::OkStatus();
    if (!process_->running() || (pid > 0 && i > 20)) {
      kill();
      return absl::AlreadyExistsError(absl::StrCat("port ", port_, " is taken by another redis-server"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError("redis-server did not answer PING");
}

}  // namespace rmb::test
