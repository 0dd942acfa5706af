#pragma once
// The Redis front door logs through the process-wide log (core/util/log.h), its lines
// tagged "compat:".
#include <string_view>

#include "core/util/log.h"

namespace rmb::compat {
inline void log_debug(std::string_view m) { core::log_debug("compat: ", m); }
inline void log_info(std::string_view m) { core::log_info("compat: ", m); }
inline void log_warn(std::string_view m) { core::log_warn("compat: ", m); }
}  // namespace rmb::compat
