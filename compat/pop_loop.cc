#include "compat/pop_loop.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/obs/log.h"

namespace rmb::compat {
namespace {

using namespace std::chrono_literals;
constexpr auto kFirstBackoff = 50ms;
constexpr auto kMaxBackoff = 2000ms;

}  // namespace

PopLoop::PopLoop(core::RedisUrl url, std::string queue, std::string processing, PopHandlers handlers,
                 OutageLog& outages, std::chrono::seconds pop_timeout)
    : url_(std::move(url)),
      queue_(std::move(queue)),
      processing_(std::move(processing)),
      handlers_(std::move(handlers)),
      outages_(outages),
      pop_timeout_(pop_timeout) {}

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

void PopLoop::run() {
  std::string timeout = std::to_string(pop_timeout_.count());
  const std::vector<std::string_view> blmove = {"BLMOVE", queue_, processing_, "RIGHT", "LEFT", timeout};
  const std::vector<std::string_view> brpoplpush = {"BRPOPLPUSH", queue_, processing_, timeout};
  const std::vector<std::string_view>* move = &blmove;

  std::unique_ptr<core::RedisConn> conn;
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  auto pause = [&] {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [&] { return stopping_.load(); });
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  };
  auto broken = [&](absl::string_view why) {
    outages_.failed("pop", std::string(why));
    conn.reset();
    pause();
  };
  while (!stopping_) {
    if (!conn) {
      auto c = core::RedisConn::connect(url_, 2000ms);
      if (!c.ok()) {
        outages_.failed("pop", std::string(c.status().message()));
        pause();
        continue;
      }
      conn = std::move(*c);
      // The socket must outlast the server-side block, or every idle pop looks like an outage.
      conn->set_timeout(pop_timeout_ + 3s);
      if (!handlers_.on_connected(*conn)) {
        broken(absl::StrCat("lost the connection while taking up ", processing_));
        continue;
      }
      outages_.recovered("pop");
      backoff = kFirstBackoff;
    }
    auto reply = conn->command(*move);
    if (!reply.ok()) {
      broken(reply.status().message());
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
      // e.g. WRONGTYPE when someone SET msgbus.system.local: say so, and do not spin.
      core::log_warn("compat: ", absl::StrCat(std::string((*move)[0]), " ", queue_, " failed: ", error));
      pause();
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
      broken(absl::StrCat("lost the connection handling a message of ", queue_));
  }
}

}  // namespace rmb::compat
