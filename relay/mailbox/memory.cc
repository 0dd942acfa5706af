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

bool MemoryMailbox::offer_next_locked(const SessionId& id, Box& box) {
  const Entry& next = box.queue[box.offered];
  // The sink outlives nothing here: the confirmation only names the box and the entry.
  if (!box.sink->offer(next.frame, [this, id, seq = next.seq] { written(id, seq); })) return false;
  ++box.offered;
  return true;
}

void MemoryMailbox::pop_front_locked(Box& box) {
  bytes_ -= box.queue.front().frame->size();
  box.queue.pop_front();
  depth_.fetch_sub(1, std::memory_order_relaxed);
}

void MemoryMailbox::store(const SessionId& to, Frame frame, uint64_t expires_at, Done done) {
  const uint64_t now = options_.now();
  if (expires_at <= now) {
    drop(to, "expired");
  } else {
    std::lock_guard lock(mu_);
    auto it = boxes_.find(to);
    if (it == boxes_.end() && boxes_.size() >= options_.max_boxes) {
      drop(to, "too_many_mailboxes");
      if (done) done(absl::ResourceExhaustedError("too many mailboxes on this relay"));
      return;
    }
    if (bytes_ + frame->size() > options_.max_bytes) {
      drop(to, "mailbox_memory_full");
      if (done) done(absl::ResourceExhaustedError("mailbox memory of this relay is full"));
      return;
    }
    if (it == boxes_.end()) it = boxes_.try_emplace(to).first;
    Box& box = it->second;
    if (box.queue.size() >= options_.per_session) {
      // The oldest goes, offered or not: a confirmation for it later finds nothing.
      pop_front_locked(box);
      if (box.offered > 0) --box.offered;
      drop(to, "mailbox_full");
    }
    bytes_ += frame->size();
    box.queue.push_back(Entry{std::move(frame), expires_at, next_seq_++});
    depth_.fetch_add(1, std::memory_order_relaxed);
    // Straight to a sink that has taken everything before it (order is kept: anything
    // refused earlier is still waiting at queue[offered], ahead of this one).
    if (box.sink && box.offered + 1 == box.queue.size()) offer_next_locked(to, box);
  }
  if (done) done(absl::OkStatus());
}

void MemoryMailbox::drain_locked(Boxes::iterator it, uint64_t now) {
  Box& box = it->second;
  while (box.sink && box.offered < box.queue.size()) {
    auto next = box.queue.begin() + static_cast<std::ptrdiff_t>(box.offered);
    if (next->expires_at <= now) {
      drop(it->first, "expired");
      bytes_ -= next->frame->size();
      box.queue.erase(next);
      depth_.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    if (!offer_next_locked(it->first, box)) break;
  }
  if (box.queue.empty() && !box.sink) boxes_.erase(it);
}

void MemoryMailbox::written(const SessionId& id, uint64_t seq) {
  std::lock_guard lock(mu_);
  auto it = boxes_.find(id);
  if (it == boxes_.end()) return;
  Box& box = it->second;
  size_t gone = 0;
  while (!box.queue.empty() && box.queue.front().seq <= seq) {
    pop_front_locked(box);
    ++gone;
  }
  box.offered = box.offered > gone ? box.offered - gone : 0;
  if (box.queue.empty() && !box.sink) boxes_.erase(it);
}

void MemoryMailbox::attach(const SessionId& id, std::shared_ptr<MailboxSink> sink) {
  std::lock_guard lock(mu_);
  auto it = boxes_.try_emplace(id).first;
  it->second.sink = std::move(sink);
  it->second.offered = 0;  // unconfirmed mail of a previous sink is offered again, first
  drain_locked(it, options_.now());
}

void MemoryMailbox::detach(const SessionId& id, const MailboxSink* sink) {
  std::lock_guard lock(mu_);
  auto it = boxes_.find(id);
  if (it == boxes_.end() || it->second.sink.get() != sink) return;
  it->second.sink.reset();
  // Offered but unconfirmed: not written, so it waits for the next attach, in order.
  it->second.offered = 0;
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
    // Offered entries are the sink's now; their confirmation removes them.
    auto first = queue.begin() + static_cast<std::ptrdiff_t>(it->second.offered);
    for (auto e = first; e != queue.end(); ++e) {
      if (e->expires_at <= now) bytes_ -= e->frame->size();  // before remove_if moves them
    }
    auto keep_end = std::remove_if(first, queue.end(), [&](const Entry& e) { return e.expires_at <= now; });
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
