#pragma once
#include <cstdint>

namespace rmb::core {

// Unix seconds. Everything time-related in the protocol is whole seconds.
uint64_t unix_now();

}  // namespace rmb::core
