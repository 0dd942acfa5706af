#pragma once
// What routing a frame needs from its envelope (source, destination, which message it
// carries), read straight from the bytes without building an rmb::Envelope.
//
// Why: the relay routes most frames without looking at anything else, yet parsing (and
// clearing) a full rmb::Envelope per frame was about half of the relay's instructions
// (callgrind, docs/performance.md): protobuf allocates and frees the sub-messages and the
// payload of every envelope.
//
// The reader is deliberately narrow: it accepts only the plain shape every rmb sender
// writes (known fields with their own wire types, each singular field once, one message
// case, one payload case, canonical varints, ASCII strings) and answers nullopt for
// anything else. nullopt never means "invalid": the caller then parses the full envelope
// and decides as before. So whenever a view comes back, rmb::Envelope::ParseFromString
// accepts the same bytes and reads the same values (tests/relay/route_view_test.cc checks
// this on mutated envelopes).
#include <cstdint>
#include <optional>
#include <string_view>

#include "relay/session_id.h"
#include "rmb/types.pb.h"

namespace rmb::relay {

struct RouteAddress {
  uint32_t twin = 0;
  std::optional<std::string_view> connection;  // absent and "" differ, as in rmb::Address
};

struct RouteView {
  std::optional<RouteAddress> source;  // nullopt: no source field (has_source() false)
  RouteAddress destination;            // twin 0 when absent, as destination().twin()
  rmb::Envelope::MessageCase message = rmb::Envelope::MESSAGE_NOT_SET;

  // Same answers as address_is(envelope.source(), id) behind has_source(), and session_of().
  bool source_is(const SessionId& id) const;
  SessionId destination_session() const;
};

// The view of the envelope in `bytes`, or nullopt when they are not in the shape above
// (then parse them fully; they may still be a valid envelope, or not).
std::optional<RouteView> read_route_view(std::string_view bytes);

// The same view of an envelope already parsed (its strings are borrowed: keep `envelope`
// alive and unchanged while the view is used), so that routing reads one kind of view.
RouteView route_view_of(const rmb::Envelope& envelope);

}  // namespace rmb::relay
