#include "bench/gateway/context_switches.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace rmb::bench {

absl::StatusOr<uint64_t> context_switches(pid_t pid) {
  const std::string tasks = pid == 0 ? "/proc/self/task" : absl::StrCat("/proc/", pid, "/task");
  std::error_code ec;
  uint64_t total = 0;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        std::istringstream value(line.substr(line.find(':') + 1));
        uint64_t n = 0;
        if (value >> n) total += n;
      }
    }
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cannot list ", tasks, ": ", ec.message()));
  return total;
}

}  // namespace rmb::bench
