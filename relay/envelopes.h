#pragma once
// Envelopes the relay builds or rewrites itself (PROTOCOL.md §5.3, §5.5).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relay/session_id.h"
#include "rmb/types.pb.h"

namespace rmb::relay {

inline constexpr uint64_t kErrorEnvelopeExpiration = 300;

// The session an address names: (twin, connection) with absent and "" kept apart.
SessionId session_of(const rmb::Address& address);
// `address` names exactly `id` (absent connection matches only an absent sid).
bool address_is(const rmb::Address& address, const SessionId& id);

// §5.5: uid of the request, timestamp `now`, expiration 300, error{0, text}, no source,
// destination = `to` (unset when nullopt, as for federation failures), nothing else.
std::string error_envelope(std::string_view uid, std::string_view text, const std::optional<SessionId>& to,
                           uint64_t now);

// §5.3: ping -> pong, source and destination swapped, payload = previous plain bytes
// (none for cipher/absent) + "hello world"; signature kept as is (now invalid).
void ping_to_pong(rmb::Envelope& envelope);

}  // namespace rmb::relay
