#pragma once
// One line per event on stderr: "<UTC time> <LEVEL> <message>". A single write per line so
// lines from different I/O threads do not interleave.
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace rmb::relay {

// absl::StrCat/StrAppend that also take std::string_view (this Abseil is built with its
// own absl::string_view, which std::string_view does not convert to).
template <typename T>
decltype(auto) alpha(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(value.data(), value.size());
  } else {
    return (value);
  }
}
template <typename... Args>
std::string cat(const Args&... args) {
  return absl::StrCat(alpha(args)...);
}
template <typename... Args>
void append(std::string* out, const Args&... args) {
  absl::StrAppend(out, alpha(args)...);
}

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

template <typename... Args>
void log_debug(const Args&... args) {
  if (log_enabled(LogLevel::kDebug)) log_line(LogLevel::kDebug, cat(args...));
}
template <typename... Args>
void log_info(const Args&... args) {
  if (log_enabled(LogLevel::kInfo)) log_line(LogLevel::kInfo, cat(args...));
}
template <typename... Args>
void log_warn(const Args&... args) {
  if (log_enabled(LogLevel::kWarn)) log_line(LogLevel::kWarn, cat(args...));
}
template <typename... Args>
void log_error(const Args&... args) {
  log_line(LogLevel::kError, cat(args...));
}

}  // namespace rmb::relay
