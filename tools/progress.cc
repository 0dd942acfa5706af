#include "tools/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace rmb::tools {

Progress::Progress(size_t total)
    : total_(total), enabled_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void Progress::update(size_t done, size_t errors) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(done, errors);
}

void Progress::finish(size_t done, size_t errors) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  draw(done, errors);
  std::fputc('\n', stderr);
}

void Progress::draw(size_t done, size_t errors) {
  constexpr size_t kWidth = 30;
  const size_t filled = total_ == 0 ? kWidth : done * kWidth / total_;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r[%s] %zu/%zu  errors %zu  %.0f/s ", bar.c_str(), done, total_, errors, rate);
  std::fflush(stderr);
}

}  // namespace rmb::tools
