#pragma once
// Relay links log through the process-wide log (core/util/log.h).
#include "core/util/log.h"

namespace rmb::gateway::link {
using core::log_enabled;
using core::log_line;
using core::LogLevel;
}  // namespace rmb::gateway::link
