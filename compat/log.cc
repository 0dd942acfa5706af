#include "compat/log.h"

#include <unistd.h>

#include <atomic>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace rmb::compat {
namespace {

// RMB_LOG_DEBUG=1 in the environment turns on debug lines (rmb-peer -d sets the level).
std::atomic<int> g_level{getenv("RMB_LOG_DEBUG") ? 0 : 1};

const char* name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "?";
}

}  // namespace

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }

void log_line(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = absl::StrCat(stamp, " ", name(level), " compat: ",
                                  absl::string_view(message.data(), message.size()), "\n");
  // One write(2) per line: stderr is unbuffered and shared by every thread.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace rmb::compat
