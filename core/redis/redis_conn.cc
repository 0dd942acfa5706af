#include "core/redis/redis_conn.h"

#include <sys/time.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rmb::core {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

absl::Status reply_status(const redisReply* r) {
  if (r != nullptr && r->type == REDIS_REPLY_ERROR) {
    return absl::UnavailableError(absl::StrCat("redis error: ", absl::string_view(r->str, r->len)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RedisConn>> RedisConn::connect(const RedisUrl& url, std::chrono::milliseconds timeout) {
  redisContext* ctx = url.is_unix() ? redisConnectUnixWithTimeout(url.unix_path.c_str(), to_timeval(timeout))
                                    : redisConnectWithTimeout(url.host.c_str(), url.port, to_timeval(timeout));
  if (ctx == nullptr) return absl::ResourceExhaustedError("redis error: cannot allocate context");
  std::unique_ptr<RedisConn> conn(new RedisConn(ctx));
  if (ctx->err) {
    return absl::UnavailableError(absl::StrCat("redis error: connect to ", url.display(), ": ", ctx->errstr));
  }
  conn->set_timeout(timeout);
  if (!url.is_unix()) redisEnableKeepAlive(ctx);
  if (url.password) {
    std::vector<std::string_view> args = {"AUTH"};
    if (url.user) args.push_back(*url.user);
    args.push_back(*url.password);
    auto r = conn->command(args);
    if (!r.ok()) return r.status();
    if (auto s = reply_status(r->get()); !s.ok()) return s;
  }
  if (url.db != 0) {
    std::string db = std::to_string(url.db);
    auto r = conn->command({"SELECT", db});
    if (!r.ok()) return r.status();
    if (auto s = reply_status(r->get()); !s.ok()) return s;
  }
  return conn;
}

RedisConn::~RedisConn() { redisFree(ctx_); }

void RedisConn::append(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data());
}

absl::Status RedisConn::io_error() const {
  return absl::UnavailableError(absl::StrCat("redis error: ", ctx_->err ? ctx_->errstr : "connection lost"));
}

absl::StatusOr<RedisReply> RedisConn::reply() {
  if (ctx_->err) return io_error();
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return io_error();
  return RedisReply(static_cast<redisReply*>(raw));
}

absl::StatusOr<RedisReply> RedisConn::command(const std::vector<std::string_view>& args) {
  append(args);
  return reply();
}

void RedisConn::set_timeout(std::chrono::milliseconds timeout) { redisSetTimeout(ctx_, to_timeval(timeout)); }

}  // namespace rmb::core
