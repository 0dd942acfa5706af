#pragma once
// One hiredis connection (sync API), owned by a single thread (the relay mailbox, the
// rmb-peer Redis front door). Connects with a timeout, authenticates and selects the
// database of a RedisUrl; pipelines with append()/reply().
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis/hiredis.h>

#include "absl/status/statusor.h"
#include "core/redis/redis_url.h"

namespace rmb::core {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisConn {
 public:
  static absl::StatusOr<std::unique_ptr<RedisConn>> connect(const RedisUrl& url, std::chrono::milliseconds timeout);
  ~RedisConn();
  RedisConn(const RedisConn&) = delete;
  RedisConn& operator=(const RedisConn&) = delete;

  // Queues one command in the output buffer (sent by the next reply()).
  void append(const std::vector<std::string_view>& args);
  // Flushes pending output and reads the next reply. An error reply (-ERR ...) is
  // returned as a reply of type REDIS_REPLY_ERROR; a non-OK status means the
  // connection is broken and must be dropped.
  absl::StatusOr<RedisReply> reply();
  absl::StatusOr<RedisReply> command(const std::vector<std::string_view>& args);
  // Socket read/write timeout for later commands (e.g. longer than an XREAD BLOCK).
  void set_timeout(std::chrono::milliseconds timeout);
  int fd() const { return ctx_->fd; }

 private:
  explicit RedisConn(redisContext* ctx) : ctx_(ctx) {}
  absl::Status io_error() const;
  redisContext* ctx_;
};

// "redis error: <message>" for an error reply; OK for any other reply.
absl::Status reply_status(const redisReply* r);

}  // namespace rmb::core
