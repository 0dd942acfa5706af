#include "compat/pop_loop.h"

#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/obs/log.h"

namespace rmb::compat {
namespace {

using namespace std::chrono_literals;
constexpr auto kConnectTimeout = 2000ms;
// Between pops Redis refuses (e.g. WRONGTYPE when someone SET the queue): said each time,
// without spinning.
constexpr auto kRefusedPause = 2000ms;

}  // namespace

PopLoop::PopLoop(core::RedisUrl url, std::string queue, std::string processing, PopHandlers handlers,
                 core::RedisOutageLog& outages, std::chrono::seconds pop_timeout)
    : queue_(std::move(queue)),
      processing_(std::move(processing)),
      handlers_(std::move(handlers)),
      pop_timeout_(pop_timeout),
      link_(std::move(url), absl::StrCat("pop ", queue_), kConnectTimeout, core::RedisBackoff{}, outages,
            [this](core::RedisConn& conn) { return connected(conn); }) {}

PopLoop::~PopLoop() { stop(); }

void PopLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void PopLoop::request_stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  cv_.notify_all();
}

void PopLoop::stop() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

void PopLoop::wait_until(core::ReconnectingRedis::Clock::time_point t) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, t, [&] { return stopping_.load(); });
}

absl::Status PopLoop::connected(core::RedisConn& conn) {
  // The socket must outlast the server-side block, or every idle pop looks like an outage.
  conn.set_timeout(pop_timeout_ + 3s);
  if (!handlers_.on_connected(conn))
    return absl::UnavailableError(absl::StrCat("lost the connection while taking up ", processing_));
  return absl::OkStatus();
}

void PopLoop::run() {
  core::block_sigpipe_in_this_thread();
  std::string timeout = std::to_string(pop_timeout_.count());
  const std::vector<std::string_view> blmove = {"BLMOVE", queue_, processing_, "RIGHT", "LEFT", timeout};
  const std::vector<std::string_view> brpoplpush = {"BRPOPLPUSH", queue_, processing_, timeout};
  const std::vector<std::string_view>* move = &blmove;

  while (!stopping_) {
    core::RedisConn* conn = link_.get();
    if (!conn && !(conn = link_.connect_if_due())) {
      wait_until(link_.next_attempt());
      continue;
    }
    auto reply = conn->command(*move);
    if (!reply.ok()) {
      link_.broken(reply.status());
      continue;
    }
    const redisReply* r = reply->get();
    if (r->type == REDIS_REPLY_NIL) continue;  // timeout: look at stopping_ again
    if (r->type == REDIS_REPLY_ERROR) {
      absl::string_view error(r->str, r->len);
      if (move == &blmove && absl::StrContains(error, "unknown command")) {
        core::log_info("compat: ", "this Redis has no BLMOVE (< 6.2): popping with BRPOPLPUSH");
        move = &brpoplpush;
        continue;
      }
      core::log_warn("compat: ", absl::StrCat(std::string((*move)[0]), " ", queue_, " failed: ", error));
      wait_until(core::ReconnectingRedis::Clock::now() + kRefusedPause);
      continue;
    }
    if (r->type != REDIS_REPLY_STRING) {
      core::log_warn("compat: ",
                     absl::StrCat(std::string((*move)[0]), " ", queue_, " returned an unexpected reply; ignored"));
      continue;
    }
    std::string payload(r->str, r->len);
    reply->reset();
    if (!handlers_.on_message(*conn, std::move(payload)))
      link_.broken(absl::UnavailableError(absl::StrCat("lost the connection handling a message of ", queue_)));
  }
  link_.close();
}

}  // namespace rmb::compat
