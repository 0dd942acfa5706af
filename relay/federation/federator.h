#pragma once
// Forwarding envelopes to the relays of twins that live elsewhere (PROTOCOL.md §6.1).
#include <functional>
#include <set>
#include <string>

#include "relay/mailbox/mailbox.h"
#include "rmb/types.pb.h"

namespace rmb::relay {

class Federator {
 public:
  // Called when forwarding failed for good (4xx, no relay answered before expiry, queue
  // full): the router turns `reason` into the §5.5 error envelope back to the sender
  // (e.g. "remote relay rejected permanently: destination offline", "message has expired").
  using FailureHandler = std::function<void(const rmb::Envelope& original, std::string reason)>;

  virtual ~Federator() = default;
  // Queues the raw frame for delivery to one of `domains`; never blocks the caller.
  virtual void forward(Frame frame, rmb::Envelope envelope, std::set<std::string> domains) = 0;
};

}  // namespace rmb::relay
