#pragma once
// Errors the Redis front door answers on a caller's `ret` list (shape (d), src "", now 0)
// when a request cannot be sent. rmb-rs only logs these cases and lets the caller time out
// (PROTOCOL.md §8.5, Appendix B.5); we answer at once. Codes are those of §8.9 where one
// fits; no new code is introduced:
//
//   102 "envelope validation error: message has expired"   exp 0, or `now` + `exp` already past
//   500 "other: invalid data base64 encoding"              `dat` is not standard padded base64
//   500 "other: invalid request: <what>"                   malformed JSON, missing key, wrong type
//   500 "other: request has no destination"                `dst` is empty
//   500 "other: <gateway error>"                           the gateway refused it (e.g. too many
//                                                          in flight, shutting down)
//
// Per-destination failures (103 unknown twin, no relay link, ...) come from the gateway as
// local outcomes and are passed on unchanged.
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/front_door.h"

namespace rmb::compat {

gateway::RmbError expired_error();
gateway::RmbError bad_base64_error();
gateway::RmbError invalid_request_error(std::string_view what);
gateway::RmbError no_destination_error();
gateway::RmbError other_error(std::string_view what);

}  // namespace rmb::compat
