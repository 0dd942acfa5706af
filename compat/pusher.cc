#include "compat/pusher.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
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
  std::vector<Item> items;
  items.reserve(commands.size());
  for (auto& c : commands) items.push_back(Item{std::move(c), {}, nullptr, 0});
  return enqueue(std::move(items), false);
}

bool Pusher::push_atomic(std::vector<Command> commands) {
  std::vector<Item> items;
  items.reserve(commands.size() + 2);
  items.push_back(Item{Command{"MULTI"}, {}, nullptr, 0});
  for (auto& c : commands) items.push_back(Item{std::move(c), {}, nullptr, items.size()});
  items.push_back(Item{Command{"EXEC"}, {}, nullptr, items.size()});
  return enqueue(std::move(items), false);
}

bool Pusher::query(Command command, ReplyHandler on_reply) {
  std::vector<Item> items;
  items.push_back(Item{std::move(command), {}, std::move(on_reply), 0});
  return enqueue(std::move(items), false);
}

bool Pusher::enqueue(std::vector<Item> items, bool even_if_stopping) {
  std::lock_guard lock(mu_);
  if ((stopping_ && !even_if_stopping) || queue_.size() + items.size() > options_.max_queued) return false;
  auto now = Clock::now();
  for (auto& item : items) {
    item.queued = now;
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
  return true;
}

void Pusher::answer(Item& item, const redisReply* reply) {
  if (!item.on_reply) return;
  auto next = item.on_reply(reply);
  item.on_reply = nullptr;
  if (next.empty()) return;
  std::vector<Item> items;
  for (auto& c : next) items.push_back(Item{std::move(c), {}, nullptr, 0});
  if (!enqueue(std::move(items), true)) {
    core::log_warn("compat: ",
                   absl::StrCat("write queue full; ", next.size(), " redis writes after a lookup are lost"));
  }
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
  // A MULTI group goes whole: its tail alone would be an EXEC without MULTI.
  while (!pending.empty() && (pending.front().queued < cutoff || (dropped > 0 && pending.front().atomic_pos > 0))) {
    answer(pending.front(), nullptr);
    pending.pop_front();
    ++dropped;
  }
  if (dropped > 0) {
    core::log_warn("compat: ", absl::StrCat("dropped ", dropped, " redis writes older than ", options_.give_up.count(),
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
        if (left > 0) core::log_warn("compat: ", absl::StrCat("stopping with ", left, " redis writes not done"));
        std::deque<Item> rest;
        rest.swap(queue_);
        lock.unlock();
        // Queries learn they got no reply (what they queue in turn is not sent).
        for (auto& item : pending) answer(item, nullptr);
        for (auto& item : rest) answer(item, nullptr);
        return;
      }
      // A MULTI group is never split between batches: a retry starts again from its MULTI.
      while (!queue_.empty() && (pending.size() < kBatch || queue_.front().atomic_pos > 0)) {
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
        // command Redis ran just before the connection broke may thus run twice). Redis
        // discards a MULTI group cut by the disconnect: it is sent again from its MULTI.
        outages_.failed("pusher", std::string(reply.status().message()));
        conn.reset();
        done -= pending[done].atomic_pos;
        break;
      }
      if ((*reply)->type == REDIS_REPLY_ERROR) {
        const Command& c = pending[done].args;
        core::log_warn("compat: ", absl::StrCat("redis refused ", c.empty() ? "" : c[0], " ", c.size() > 1 ? c[1] : "",
                                                ": ", absl::string_view((*reply)->str, (*reply)->len)));
      }
      answer(pending[done], reply->get());
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
