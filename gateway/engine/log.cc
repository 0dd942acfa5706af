#include "gateway/engine/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace rmb::gateway {
namespace {

std::atomic<int> g_level{static_cast<int>(EngineLogLevel::kInfo)};

std::string_view level_name(EngineLogLevel level) {
  switch (level) {
    case EngineLogLevel::kDebug: return "DEBUG";
    case EngineLogLevel::kInfo: return "INFO";
    case EngineLogLevel::kWarn: return "WARN";
    case EngineLogLevel::kError: return "ERROR";
  }
  return "?";
}

}  // namespace

void set_engine_log_level(EngineLogLevel level) { g_level.store(static_cast<int>(level)); }

bool engine_log_enabled(EngineLogLevel level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void engine_log_line(EngineLogLevel level, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  const std::string_view name = level_name(level);
  std::string line = absl::StrCat(stamp, ".", absl::Dec(millis, absl::kZeroPad3), "Z ",
                                  absl::string_view(name.data(), name.size()), " engine: ",
                                  absl::string_view(message.data(), message.size()), "\n");
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

}  // namespace rmb::gateway
