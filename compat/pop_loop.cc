#include "compat/pop_loop.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "compat/log.h"
#include "core/redis/redis_conn.h"

namespace rmb::compat {
namespace {

using namespace std::chrono_literals;
constexpr auto kFirstBackoff = 50ms;
constexpr auto kMaxBackoff = 2000ms;

}  // namespace

PopLoop::PopLoop(core::RedisUrl url, std::vector<std::string> queues, Handler handler, OutageLog& outages,
                 std::chrono::seconds pop_timeout)
    : url_(std::move(url)),
      queues_(std::move(queues)),
      handler_(std::move(handler)),
      outages_(outages),
      pop_timeout_(pop_timeout) {}

PopLoop::~PopLoop() { stop(); }

void PopLoop::start() { thread_ = std::thread([this] { run(); }); }

void PopLoop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void PopLoop::run() {
  std::vector<std::string_view> brpop = {"BRPOP"};
  for (const auto& q : queues_) brpop.push_back(q);
  std::string timeout = std::to_string(pop_timeout_.count());
  brpop.push_back(timeout);

  std::unique_ptr<core::RedisConn> conn;
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  auto pause = [&] {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [&] { return stopping_.load(); });
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
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
      outages_.recovered("pop");
      backoff = kFirstBackoff;
    }
    auto reply = conn->command(brpop);
    if (!reply.ok()) {
      outages_.failed("pop", std::string(reply.status().message()));
      conn.reset();
      pause();
      continue;
    }
    const redisReply* r = reply->get();
    if (r->type == REDIS_REPLY_NIL) continue;  // timeout: look at stopping_ again
    if (r->type == REDIS_REPLY_ERROR) {
      // e.g. WRONGTYPE when someone SET msgbus.system.local: say so, and do not spin.
      log_warn(absl::StrCat("BRPOP failed: ", absl::string_view(r->str, r->len)));
      pause();
      continue;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_STRING) {
      log_warn("BRPOP returned an unexpected reply; ignored");
      continue;
    }
    std::string queue(r->element[0]->str, r->element[0]->len);
    std::string payload(r->element[1]->str, r->element[1]->len);
    handler_(queue, std::move(payload));
  }
}

}  // namespace rmb::compat
