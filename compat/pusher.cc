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

}  // namespace

Pusher::Pusher(PusherOptions options, core::RedisOutageLog& outages)
    : options_(std::move(options)),
      link_(options_.url, "pusher", options_.timeout, core::RedisBackoff{}, outages),
      thread_([this] { run(); }) {}

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

void Pusher::wait_until(Clock::time_point t) {
  std::unique_lock lock(mu_);
  if (stopping_) t = std::min(t, drain_deadline_);
  // Woken early by stop(); the loop then re-checks the drain deadline.
  cv_.wait_until(lock, t);
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
  core::block_sigpipe_in_this_thread();
  std::deque<Item> pending;  // taken from queue_ and not acknowledged yet, in order
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
        link_.close();
        return;
      }
      // A MULTI group is never split between batches: a retry starts again from its MULTI.
      while (!queue_.empty() && (pending.size() < kBatch || queue_.front().atomic_pos > 0)) {
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    core::RedisConn* conn = link_.get();
    if (!conn && !(conn = link_.connect_if_due())) {
      drop_stale(pending);
      wait_until(link_.next_attempt());
      continue;
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
        link_.broken(reply.status());
        conn = nullptr;
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
      wait_until(link_.next_attempt());
    }
  }
}

}  // namespace rmb::compat
