#include "compat/pop_loop.h"

#include <algorithm>
#include <optional>
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

void refused(const redisReply* r) {
  core::log_warn("compat: ",
                 absl::StrCat("redis refused a write of the front door's state: ", absl::string_view(r->str, r->len)));
}

}  // namespace

void append_writes(core::RedisConn& conn, const PopBatch& batch) {
  std::vector<std::string_view> args;
  if (batch.atomic) conn.append({"MULTI"});
  for (const auto& c : batch.writes) {
    args.assign(c.begin(), c.end());
    conn.append(args);
  }
  if (batch.atomic) conn.append({"EXEC"});
}

bool await_writes(core::RedisConn& conn, const PopBatch& batch) {
  const size_t count = batch.writes.size() + (batch.atomic ? 2 : 0);
  for (size_t i = 0; i < count; ++i) {
    auto r = conn.reply();
    if (!r.ok()) return false;
    if ((*r)->type == REDIS_REPLY_ERROR) refused(r->get());
    // EXEC's own replies: e.g. WRONGTYPE when someone made the in-flight hash a string.
    if (batch.atomic && i == count - 1 && (*r)->type == REDIS_REPLY_ARRAY) {
      for (size_t k = 0; k < (*r)->elements; ++k) {
        if ((*r)->element[k]->type == REDIS_REPLY_ERROR) refused((*r)->element[k]);
      }
    }
  }
  return true;
}

PopLoop::PopLoop(core::RedisUrl url, std::string queue, std::string processing, PopHandlers handlers,
                 core::RedisOutageLog& outages, size_t max_batch, std::chrono::seconds pop_timeout)
    : queue_(std::move(queue)),
      processing_(std::move(processing)),
      handlers_(std::move(handlers)),
      max_batch_(std::max<size_t>(max_batch, 1)),
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
  const std::string timeout = std::to_string(pop_timeout_.count());
  const std::vector<std::string_view> blmove = {"BLMOVE", queue_, processing_, "RIGHT", "LEFT", timeout};
  const std::vector<std::string_view> lmove = {"LMOVE", queue_, processing_, "RIGHT", "LEFT"};
  const std::vector<std::string_view> brpoplpush = {"BRPOPLPUSH", queue_, processing_, timeout};
  const std::vector<std::string_view> rpoplpush = {"RPOPLPUSH", queue_, processing_};
  bool legacy = false;                  // a Redis without BLMOVE/LMOVE (< 6.2)
  size_t waiting = 0;                   // what LLEN saw left in the queue after the last pop
  std::optional<PopBatch> unconfirmed;  // its writes are in the connection, EXEC not read yet
  auto confirm = [&](core::RedisConn* conn) {
    if (!unconfirmed) return true;
    PopBatch batch = std::move(*unconfirmed);
    unconfirmed.reset();
    bool written = conn != nullptr && await_writes(*conn, batch);
    if (batch.then) batch.then(written);
    if (!written && conn != nullptr)
      link_.broken(absl::UnavailableError(absl::StrCat("lost the connection writing what was popped from ", queue_)));
    return written;
  };

  while (!stopping_) {
    core::RedisConn* conn = link_.get();
    if (!conn && !(conn = link_.connect_if_due())) {
      wait_until(link_.next_attempt());
      continue;
    }
    // Blocking while the queue looked empty; else as many non-blocking moves as are waiting.
    const bool block = waiting == 0;
    const size_t moves = block ? 1 : std::min(waiting, max_batch_);
    const auto& move = block ? (legacy ? brpoplpush : blmove) : (legacy ? rpoplpush : lmove);
    for (size_t i = 0; i < moves; ++i) conn->append(move);
    conn->append({"LLEN", queue_});
    waiting = 0;
    // The previous batch's writes went out with these pops: their replies come first.
    if (!confirm(conn)) continue;

    std::vector<std::string> payloads;
    std::optional<absl::Status> broke;
    bool refused_pop = false;
    for (size_t i = 0; i < moves && !broke; ++i) {
      auto reply = conn->reply();
      if (!reply.ok()) {
        broke = reply.status();
        break;
      }
      const redisReply* r = reply->get();
      if (r->type == REDIS_REPLY_STRING) {
        payloads.emplace_back(r->str, r->len);
      } else if (r->type == REDIS_REPLY_ERROR) {
        absl::string_view error(r->str, r->len);
        if (!legacy && absl::StrContains(error, "unknown command")) {
          core::log_info("compat: ", "this Redis has no BLMOVE (< 6.2): popping with BRPOPLPUSH");
          legacy = true;
        } else if (!refused_pop) {
          core::log_warn("compat: ", absl::StrCat(std::string(move[0]), " ", queue_, " failed: ", error));
          refused_pop = true;
        }
      } else if (r->type != REDIS_REPLY_NIL) {  // nil: a timeout, or the queue ran dry
        core::log_warn("compat: ",
                       absl::StrCat(std::string(move[0]), " ", queue_, " returned an unexpected reply; ignored"));
      }
    }
    if (!broke) {
      auto len = conn->reply();
      if (!len.ok()) {
        broke = len.status();
      } else if ((*len)->type == REDIS_REPLY_INTEGER && (*len)->integer > 0) {
        waiting = static_cast<size_t>((*len)->integer);
      }
    }
    if (broke) {
      // What this pop moved stays on the processing list: taken up after reconnecting.
      link_.broken(*broke);
      waiting = 0;
      continue;
    }
    if (!payloads.empty()) {
      PopBatch batch = handlers_.on_messages(std::move(payloads));
      if (batch.writes.empty()) {
        if (batch.then) batch.then(true);
      } else {
        append_writes(*conn, batch);
        unconfirmed = std::move(batch);
      }
    }
    if (refused_pop) {
      if (!confirm(conn)) continue;
      waiting = 0;
      wait_until(core::ReconnectingRedis::Clock::now() + kRefusedPause);
    }
  }
  // Stopping: what was popped last is made safe before the connection goes.
  confirm(link_.get());
  link_.close();
}

}  // namespace rmb::compat
