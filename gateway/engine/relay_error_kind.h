#pragma once
// Which error envelopes from a relay (source twin 0, PROTOCOL.md §5.5) are final for a
// request and which only say that this attempt failed. The relay's words are all it gives:
// they are matched by text, as rmb-rs and rmb-cpp relays write them.
#include <string_view>

namespace rmb::gateway {

// True for a failure inside the relay that a later attempt may not meet (its Redis or the
// chain was unreachable, a store failed): the request is sent again instead of being
// settled. False for a refusal that would be the same next time (unknown twin, no relay,
// fail-fast offline, rate limited, rejected by the remote relay, expired): it is the outcome.
bool relay_error_is_transient(std::string_view message);

}  // namespace rmb::gateway
