#pragma once
// What the router and the registry see of a connected WebSocket session. Implemented by
// the WebSocket connection (ws_connection.h) and by fakes in unit tests. All methods are
// thread-safe: the router calls them from the I/O thread of the *sending* session.
#include <string>

#include "relay/mailbox/mailbox.h"
#include "relay/session_id.h"

namespace rmb::relay {

// Why the relay closes a session; doubles as the eviction metric label.
enum class CloseCause {
  kReplaced,         // a newer connection took the same (twin, sid)
  kBackPressure,     // send queue stuck full for too long
  kSessionAge,       // token too old: reconnect with a fresh one
  kInvalidEnvelope,  // binary frame that is not an Envelope
  kTextFrame,        // text frames are not part of the protocol
  kCapacity,         // --max-sessions reached
  kShutdown,         // relay stopping
};

std::string_view close_cause_label(CloseCause cause);
// The WebSocket close reason text the client sees.
std::string_view close_cause_reason(CloseCause cause);

class Session : public MailboxSink {
 public:
  virtual const SessionId& id() const = 0;
  // Queues a frame routed to this session. Returns false while the session is in
  // back-pressure or closing; the caller then stores the frame in the mailbox, which
  // offers it again after Mailbox::resume().
  virtual bool deliver(const Frame& frame) = 0;
  // Closes the session with a WebSocket close reason (queued writes are flushed first,
  // within a bounded wait).
  virtual void close(CloseCause cause) = 0;
};

}  // namespace rmb::relay
