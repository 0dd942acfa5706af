#pragma once
// Where envelopes wait for a session that is not connected to this process: offline
// twins, and (with a shared backend) twins connected to another relay process.
// Implementations: memory.{h,cc} (default, bounded, per-message expiry) and
// redis.{h,cc} (rmb-rs stream layout, shared between relay processes).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "relay/session_id.h"

namespace rmb::relay {

using Frame = std::shared_ptr<const std::string>;

// The receiving end of a connected session.
class MailboxSink {
 public:
  // Confirms that an offered frame was written to the session's socket: only then does the
  // mailbox forget it (PROTOCOL.md §5.7, issue 11). A frame whose confirmation never comes
  // (the connection ended first, the relay died) stays stored and is offered again, in
  // order, on the next attach. Call at most once, from any thread, while the mailbox
  // exists; dropping it uncalled is how a sink says "not written".
  using Written = std::function<void()>;

  virtual ~MailboxSink() = default;
  // Offers one stored frame, oldest first. Returns false when the session cannot take it
  // now (send queue full, or closing): the mailbox keeps the frame and offers it again
  // after Mailbox::resume() or on the next attach. May be called on any thread.
  virtual bool offer(const Frame& frame, Written written) = 0;
};

class Mailbox {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~Mailbox() = default;

  // Keeps `frame` for `to` until `expires_at` (unix seconds). `done` reports whether it
  // was stored; it may run on any thread.
  virtual void store(const SessionId& to, Frame frame, uint64_t expires_at, Done done) = 0;
  // `id` is now connected here: offer everything stored for it, then whatever is stored
  // later (by this process or, for shared backends, another one) until detach().
  virtual void attach(const SessionId& id, std::shared_ptr<MailboxSink> sink) = 0;
  // Stops offering to `sink` (no-op when another sink has replaced it meanwhile).
  virtual void detach(const SessionId& id, const MailboxSink* sink) = 0;
  // The attached sink has room again after refusing an offer.
  virtual void resume(const SessionId& id) = 0;
  // Messages currently stored (a metric; approximate for shared backends).
  virtual uint64_t depth() const = 0;
};

}  // namespace rmb::relay
