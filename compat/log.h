#pragma once
// One line per event on stderr ("<UTC time> <LEVEL> compat: <message>"), written with a
// single write so lines from the pop, push and gateway threads do not interleave.
#include <string>
#include <string_view>

namespace rmb::compat {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_log_level(LogLevel level);
void log_line(LogLevel level, std::string_view message);

inline void log_debug(std::string_view m) { log_line(LogLevel::kDebug, m); }
inline void log_info(std::string_view m) { log_line(LogLevel::kInfo, m); }
inline void log_warn(std::string_view m) { log_line(LogLevel::kWarn, m); }

}  // namespace rmb::compat
