#pragma once
// The serialised envelopes the bench sends. Built (and signed) once per connection and
// then re-sent as bytes: the relay neither verifies signatures nor looks at uids, and
// the bench measures the relay, not the client.
#include <cstddef>
#include <string>

#include "bench/relay/fixture.h"

namespace rmb::bench {

// A signed request `from` -> twin `to` with a `payload_size`-byte plain payload.
std::string signed_request(const Identity& from, uint32_t to, size_t payload_size);
// A signed response `from` -> twin `to` with a `payload_size`-byte plain payload.
std::string signed_response(const Identity& from, uint32_t to, size_t payload_size);
// An envelope ping (destination twin 0) carrying a `payload_size`-byte plain payload;
// the relay turns it into a pong back to `from` (PROTOCOL.md §5.3).
std::string ping_envelope(const Identity& from, size_t payload_size);

}  // namespace rmb::bench
