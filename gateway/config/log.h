#pragma once
// rmb-peer's log: one line per event on stderr, "<UTC time> <LEVEL> <message>", written
// with a single write() so lines of different threads do not interleave.
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace rmb::gateway::config {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

// absl::StrCat that also takes std::string_view (this Abseil has its own string_view).
template <typename T>
decltype(auto) log_arg(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(value.data(), value.size());
  } else {
    return (value);
  }
}

template <typename... Args>
void log_debug(const Args&... args) {
  if (log_enabled(LogLevel::kDebug)) log_line(LogLevel::kDebug, absl::StrCat(log_arg(args)...));
}
template <typename... Args>
void log_info(const Args&... args) {
  if (log_enabled(LogLevel::kInfo)) log_line(LogLevel::kInfo, absl::StrCat(log_arg(args)...));
}
template <typename... Args>
void log_warn(const Args&... args) {
  if (log_enabled(LogLevel::kWarn)) log_line(LogLevel::kWarn, absl::StrCat(log_arg(args)...));
}
template <typename... Args>
void log_error(const Args&... args) {
  log_line(LogLevel::kError, absl::StrCat(log_arg(args)...));
}

}  // namespace rmb::gateway::config
