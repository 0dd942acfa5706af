#pragma once
// The engine's log lines: one line per event on stderr, "<UTC time> <LEVEL> engine: <text>",
// written with a single write(2) so lines from different threads do not interleave.
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace rmb::gateway {

enum class EngineLogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_engine_log_level(EngineLogLevel level);
bool engine_log_enabled(EngineLogLevel level);
void engine_log_line(EngineLogLevel level, std::string_view message);

namespace detail {
// This Abseil has its own string_view, which std::string_view does not convert to.
template <typename T>
decltype(auto) loggable(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(value.data(), value.size());
  } else {
    return (value);
  }
}
}  // namespace detail

template <typename... Args>
void engine_log(EngineLogLevel level, const Args&... args) {
  if (engine_log_enabled(level)) engine_log_line(level, absl::StrCat(detail::loggable(args)...));
}

}  // namespace rmb::gateway
