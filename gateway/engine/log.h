#pragma once
// The engine logs through the process-wide log (core/util/log.h), its lines tagged "engine:".
#include "core/util/log.h"

namespace rmb::gateway {
using EngineLogLevel = core::LogLevel;

template <typename... Args>
void engine_log(EngineLogLevel level, const Args&... args) {
  core::log(level, "engine: ", args...);
}
}  // namespace rmb::gateway
