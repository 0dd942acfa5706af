#pragma once
// The one log of every rmb program: a line per event on stderr,
// "<UTC time with ms> <LEVEL> <message>", written with a single write(2) so lines from
// different threads never interleave. One process-wide level.
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace rmb::core {

// absl::StrCat/StrAppend that also take std::string_view: this Abseil is built with its own
// absl::string_view, which std::string_view does not convert to.
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
// Writes the line when `level` is on.
void log_line(LogLevel level, std::string_view message);

// Formats only when the level is on.
template <typename... Args>
void log(LogLevel level, const Args&... args) {
  if (log_enabled(level)) log_line(level, cat(args...));
}

template <typename... Args>
void log_debug(const Args&... args) {
  log(LogLevel::kDebug, args...);
}

template <typename... Args>
void log_info(const Args&... args) {
  log(LogLevel::kInfo, args...);
}

template <typename... Args>
void log_warn(const Args&... args) {
  log(LogLevel::kWarn, args...);
}

template <typename... Args>
void log_error(const Args&... args) {
  log(LogLevel::kError, args...);
}

}  // namespace rmb::core
