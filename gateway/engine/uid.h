#pragma once
#include <string>

namespace rmb::gateway {

// A random UUIDv4 in lowercase hyphenated text (PROTOCOL.md §8.5 step 3), from libsodium.
std::string new_uid();

}  // namespace rmb::gateway
