#pragma once
// The relay logs through the process-wide log (core/util/log.h).
#include "core/util/log.h"

namespace rmb::relay {
using core::append;
using core::cat;
using core::log_debug;
using core::log_enabled;
using core::log_error;
using core::log_info;
using core::log_line;
using core::log_warn;
using core::LogLevel;
using core::set_log_level;
}  // namespace rmb::relay
