#pragma once
// The signed challenge of an envelope (PROTOCOL.md §2.1): MD5 over the fields as text
// and raw bytes, no separators.
#include <array>
#include <string>

#include "rmb/types.pb.h"

namespace rmb::core {

using Digest16 = std::array<uint8_t, 16>;

// The byte stream itself (for tests and debugging).
std::string challenge_bytes(const rmb::Envelope& envelope);
// MD5 of the stream, fed incrementally (no copy of the payload).
Digest16 challenge_digest(const rmb::Envelope& envelope);

}  // namespace rmb::core
