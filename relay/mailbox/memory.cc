#include "relay/mailbox/memory.h"

#include <algorithm>

#include "core/util/clock.h"

namespace rmb::relay {

MemoryMailbox::MemoryMailbox(MemoryMailboxOptions options) : options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return core::unix_now(); };
  options_.per_session = std::max<size_t>(options_.per_session, 1);
}

void MemoryMailbox::drop(const SessionId& id, std::string_view reason) {
  if (options_.on_drop) options_.on_drop(id, reason);
}

void MemoryMailbox::store(const SessionId& to, Frame frame, uint64_t expires_at, Done done) {
  const uint64_t now = options_.now();
  if (expires_at <= now) {
    drop(to, "expired");
  } else {
    std::lock_guard lock(mu_);
    Box& box = boxes_[to];
    if (!(box.sink && box.queue.empty() && box.sink->offer(frame))) {
      if (box.queue.size() >= options_.per_session) {
        box.queue.pop_front();
        depth_.fetch_sub(1, std::memory_order_relaxed);
        drop(to, "mailbox_full");
      }
      box.queue.push_back(Entry{std::move(frame), expires_at});
      depth_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (done) done(absl::OkStatus());
}

void MemoryMailbox::drain_locked(Boxes::iterator it, uint64_t now) {
  Box& box = it->second;
  while (!box.queue.empty() && box.sink) {
    Entry& front = box.queue.front();
    if (front.expires_at <= now) {
      drop(it->first, "expired");
    } else if (!box.sink->offer(front.frame)) {
      break;
    }
    box.queue.pop_front();
    depth_.fetch_sub(1, std::memory_order_relaxed);
  }
  if (box.queue.empty() && !box.sink) boxes_.erase(it);
}

void MemoryMailbox::attach(const SessionId& id, std::shared_ptr<MailboxSink> sink) {
  std::lock_guard lock(mu_);
  auto it = boxes_.try_emplace(id).first;
  it->second.sink = std::move(sink);
  drain_locked(it, options_.now());
}

void MemoryMailbox::detach(const SessionId& id, const MailboxSink* sink) {
  std::lock_guard lock(mu_);
  auto it = boxes_.find(id);
  if (it == boxes_.end() || it->second.sink.get() != sink) return;
  it->second.sink.reset();
  if (it->second.queue.empty()) boxes_.erase(it);
}

void MemoryMailbox::resume(const SessionId& id) {
  std::lock_guard lock(mu_);
  auto it = boxes_.find(id);
  if (it != boxes_.end()) drain_locked(it, options_.now());
}

size_t MemoryMailbox::purge_expired() {
  const uint64_t now = options_.now();
  size_t purged = 0;
  std::lock_guard lock(mu_);
  for (auto it = boxes_.begin(); it != boxes_.end();) {
    auto& queue = it->second.queue;
    auto keep_end = std::remove_if(queue.begin(), queue.end(), [&](const Entry& e) { return e.expires_at <= now; });
    const size_t n = static_cast<size_t>(queue.end() - keep_end);
    for (size_t i = 0; i < n; ++i) drop(it->first, "expired");
    queue.erase(keep_end, queue.end());
    purged += n;
    if (queue.empty() && !it->second.sink) {
      it = boxes_.erase(it);
    } else {
      ++it;
    }
  }
  depth_.fetch_sub(purged, std::memory_order_relaxed);
  return purged;
}

}  // namespace rmb::relay
