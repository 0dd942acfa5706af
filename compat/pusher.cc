#include "compat/pusher.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "compat/log.h"
#include "core/redis/redis_conn.h"

namespace rmb::compat {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Commands per pipeline round trip: large enough to amortise the round trip under load,
// small enough that one slow batch does not hold up the rest for long.
constexpr size_t kBatch = 512;
constexpr auto kFirstBackoff = 50ms;
constexpr auto kMaxBackoff = 2000ms;

}  // namespace

Pusher::Pusher(PusherOptions options, OutageLog& outages)
    : options_(std::move(options)), outages_(outages), thread_([this] { run(); }) {}

Pusher::~Pusher() { stop(0ms); }

bool Pusher::push(std::vector<Command> commands) {
  std::lock_guard lock(mu_);
  if (stopping_ || queue_.size() + commands.size() > options_.max_queued) return false;
  auto now = Clock::now();
  for (auto& c : commands) queue_.push_back(Item{std::move(c), now});
  cv_.notify_one();
  return true;
}

void Pusher::stop(std::chrono::milliseconds drain) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      drain_deadline_ = Clock::now() + drain;
    }
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

bool Pusher::wait_backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  if (stopping_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(drain_deadline_ - Clock::now());
    if (left <= 0ms) return false;
    delay = std::min(delay, left);
  }
  // Woken early by stop(); the loop then re-checks the drain deadline.
  cv_.wait_for(lock, delay);
  return true;
}

size_t Pusher::drop_stale(std::deque<Item>& pending) {
  auto cutoff = Clock::now() - options_.give_up;
  size_t dropped = 0;
  while (!pending.empty() && pending.front().queued < cutoff) {
    pending.pop_front();
    ++dropped;
  }
  if (dropped > 0) {
    log_warn(absl::StrCat("dropped ", dropped, " redis writes older than ", options_.give_up.count(),
                          "s while redis was unreachable"));
  }
  return dropped;
}

void Pusher::run() {
  std::deque<Item> pending;  // taken from queue_ and not acknowledged yet, in order
  std::unique_ptr<core::RedisConn> conn;
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || !pending.empty(); });
      if (stopping_ && (Clock::now() >= drain_deadline_ || (pending.empty() && queue_.empty()))) {
        size_t left = pending.size() + queue_.size();
        if (left > 0) log_warn(absl::StrCat("stopping with ", left, " redis writes not done"));
        return;
      }
      while (!queue_.empty() && pending.size() < kBatch) {
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!conn) {
      auto c = core::RedisConn::connect(options_.url, options_.timeout);
      if (!c.ok()) {
        outages_.failed("pusher", std::string(c.status().message()));
        drop_stale(pending);
        wait_backoff(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
        continue;
      }
      conn = std::move(*c);
      outages_.recovered("pusher");
      backoff = kFirstBackoff;
    }
    std::vector<std::string_view> args;
    for (const Item& item : pending) {
      args.assign(item.args.begin(), item.args.end());
      conn->append(args);
    }
    size_t done = 0;
    for (; done < pending.size(); ++done) {
      auto reply = conn->reply();
      if (!reply.ok()) {
        // Unacknowledged commands stay queued and are sent again after reconnecting (a
        // command Redis ran just before the connection broke may thus run twice).
        outages_.failed("pusher", std::string(reply.status().message()));
        conn.reset();
        break;
      }
      if ((*reply)->type == REDIS_REPLY_ERROR) {
        const Command& c = pending[done].args;
        log_warn(absl::StrCat("redis refused ", c.empty() ? "" : c[0], " ", c.size() > 1 ? c[1] : "", ": ",
                              absl::string_view((*reply)->str, (*reply)->len)));
      }
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
    if (!conn) {
      drop_stale(pending);
      wait_backoff(backoff);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
    }
  }
}

}  // namespace rmb::compat
