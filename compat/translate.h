#pragma once
// Between the JSON shapes of the Redis API and the gateway's front-door types
// (gateway/front_door.h). Pure functions: no Redis, no threads.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "compat/shapes.h"
#include "gateway/front_door.h"

namespace rmb::compat {

struct PreparedRequest {
  gateway::OutgoingRequest request;
  int64_t ttl = 0;  // seconds left after stamping (> 0); the backlog's TTL before clamping
};

// (a) -> what the gateway sends, stamped as rmb-peer does (§8.5 step 4: a zero or future
// `now` becomes the current time; an older one shortens `exp` by the time elapsed), or the
// error to answer the caller with (errors.h).
std::variant<PreparedRequest, gateway::RmbError> prepare_request(const RequestJson& json, uint64_t unix_now);

// An outcome of a request -> (d) for the caller's `ret` list. Nothing for an expired
// request: rmb-rs pushes nothing when no answer comes in time (the backlog just expires),
// and callers already time out on their own `exp`; pushing an error there would give
// callers that count answers per destination one they do not expect from rmb-rs.
std::optional<IncomingResponseJson> outcome_to_json(const gateway::Outcome& outcome,
                                                    const std::optional<std::string>& ref);
// A local error (src "", now 0, dat "") for the caller's `ret` list.
IncomingResponseJson error_to_json(const gateway::RmbError& error, const std::optional<std::string>& ref);

// A reply that matched no request pending in this process -> (d) and the list it goes to,
// from the bytes of its msgbus.backlog.<uid> (§8.7 step 5: `ref` from the backlog, pushed
// to its `reply_to`). Bytes that are not a Backlog, and backlogs of rmb-rs plugins (this
// peer runs none), are errors.
struct RoutedReply {
  std::string list;
  std::string json;
};
absl::StatusOr<RoutedReply> route_by_backlog(const gateway::Outcome& reply, std::string_view backlog_bytes);

// An incoming request -> (b) for msgbus.<cmd>.
IncomingRequestJson incoming_to_json(const gateway::IncomingRequest& request);

struct PreparedReply {
  std::string uid;  // "" when `ref` is null (the caller will drop it, as with rmb-rs)
  core::AddressText destination;
  gateway::ServiceReply reply;
  // Set when the app's reply was unusable and an error goes to the caller instead.
  std::optional<std::string> warning;
};

// (c) -> the reply to send. An unparsable `dst` is an error (nobody to answer: dropped and
// logged, as rmb-rs does). `dat` that is not base64 turns into an error envelope
// 500 "other: invalid data base64 encoding" to the caller, so it is answered instead of
// left waiting (rmb-rs drops it).
absl::StatusOr<PreparedReply> prepare_reply(const ResponseJson& json);

}  // namespace rmb::compat
