#include "compat/outage.h"

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"

namespace rmb::compat {
namespace {
absl::string_view sv(std::string_view s) { return {s.data(), s.size()}; }
}  // namespace

void OutageLog::failed(std::string_view who, std::string_view error) {
  std::lock_guard lock(mu_);
  if (down_) return;
  down_ = true;
  core::log_warn("compat: ", absl::StrCat("redis at ", where_, " unavailable (", sv(who), ": ", sv(error),
                                          "); reconnecting in the background"));
}

void OutageLog::recovered(std::string_view who) {
  std::lock_guard lock(mu_);
  if (!down_) return;
  down_ = false;
  core::log_info("compat: ", absl::StrCat("redis at ", where_, " reachable again (", sv(who), ")"));
}

}  // namespace rmb::compat
