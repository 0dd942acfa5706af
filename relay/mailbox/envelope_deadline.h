#pragma once
// The expiry of an envelope stored in a Redis mailbox, read back from its bytes: rmb-rs
// stores no expiry of its own next to the envelope (PROTOCOL.md §5.7), so the relay reads
// the envelope's timestamp + expiration to delete expired mail instead of delivering it.
// Pure (no Redis, no I/O), so a fuzz target compiles it alone (fuzz/fuzz_envelope_deadline.cc).
#include <cstdint>
#include <optional>
#include <string_view>

namespace rmb::relay {

// timestamp + expiration (saturating at UINT64_MAX) of the envelope in `bytes`, read
// without parsing the whole message (payloads can be large). nullopt when the bytes are not
// a well-formed protobuf message: such an entry is delivered as is, like rmb-rs, which never
// looks at what it stores. Missing fields count as 0.
std::optional<uint64_t> envelope_deadline(std::string_view bytes);

}  // namespace rmb::relay
