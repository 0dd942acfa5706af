#pragma once
// One line per link event on stderr, in the relay's format (relay/log.h):
// "<UTC time> <LEVEL> <message>", written with a single write(2) so lines from several
// I/O threads never interleave.
#include <string_view>

namespace rmb::gateway::link {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

}  // namespace rmb::gateway::link
