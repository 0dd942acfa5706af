#pragma once
// The default mailbox: in process memory, lost on restart.
// - One FIFO per session, at most `per_session` messages: storing into a full one drops
//   the oldest (reported through `on_drop` with reason "mailbox_full").
// - At most `max_boxes` sessions with mail and `max_bytes` of mail in all: a store beyond
//   is refused with RESOURCE_EXHAUSTED (the sender gets an error), so memory stays bounded
//   however many (twin, sid) an abuser invents.
// - Every message carries its own expiry (the caller passes the envelope's timestamp +
//   expiration, capped by the relay's mailbox TTL); expired mail is never offered, it is
//   dropped (reason "expired") when met during delivery or by purge_expired().
// - While a sink is attached and nothing is waiting, a store is offered straight to the
//   sink, so a session that caught up gets new mail in order without a queue round trip.
// - A message offered to a sink stays in its FIFO (marked offered) until the sink confirms
//   it was written; on detach the unconfirmed ones are offered again first on the next
//   attach, in order, like the Redis stream does (issue 11).
// Thread-safe. Sinks are called under the mailbox lock and must not call back into it
// from offer() (the Written confirmation comes later, from the writer).
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "relay/mailbox/mailbox.h"

namespace rmb::relay {

struct MemoryMailboxOptions {
  size_t per_session = 10000;
  std::function<uint64_t()> now;                                           // unix seconds; default core::unix_now
  std::function<void(const SessionId&, std::string_view reason)> on_drop;  // metrics + log
  // Bounds of the whole mailbox (issue 11): sessions with mail, and bytes of mail. A store
  // beyond either is refused (RESOURCE_EXHAUSTED), nothing stored is dropped for it.
  size_t max_boxes = 100000;
  size_t max_bytes = 1ull << 30;
};

class MemoryMailbox final : public Mailbox {
 public:
  explicit MemoryMailbox(MemoryMailboxOptions options);

  void store(const SessionId& to, Frame frame, uint64_t expires_at, Done done) override;
  void attach(const SessionId& id, std::shared_ptr<MailboxSink> sink) override;
  void detach(const SessionId& id, const MailboxSink* sink) override;
  void resume(const SessionId& id) override;
  uint64_t depth() const override { return depth_.load(std::memory_order_relaxed); }

  // Drops every expired message now (the relay calls it periodically so memory of mail
  // nobody collects is returned). Returns how many were dropped.
  size_t purge_expired();

 private:
  struct Entry {
    Frame frame;
    uint64_t expires_at;
    uint64_t seq;  // mailbox-wide, increasing: what a Written confirmation names
  };
  struct Box {
    std::deque<Entry> queue;
    size_t offered = 0;  // entries at the front handed to `sink`, not yet confirmed
    std::shared_ptr<MailboxSink> sink;
  };
  using Boxes = std::unordered_map<SessionId, Box, SessionIdHash>;

  void drain_locked(Boxes::iterator it, uint64_t now);
  // Offers queue[offered] to the sink; true if taken.
  bool offer_next_locked(const SessionId& id, Box& box);
  // Writes are confirmed in order: everything up to `seq` is gone.
  void written(const SessionId& id, uint64_t seq);
  void drop(const SessionId& id, std::string_view reason);
  // Removes the front entry of `box` (accounting), not the box.
  void pop_front_locked(Box& box);

  MemoryMailboxOptions options_;
  mutable std::mutex mu_;
  Boxes boxes_;
  size_t bytes_ = 0;  // of every stored frame; guarded by mu_
  // Not per box: a late confirmation must never match mail of a box that was emptied,
  // removed and created again meanwhile. Guarded by mu_.
  uint64_t next_seq_ = 0;
  std::atomic<uint64_t> depth_{0};
};

}  // namespace rmb::relay
