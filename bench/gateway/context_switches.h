#pragma once
// Context switches of a process (all its threads), from /proc. Every hand-off between
// threads or processes (futex wake, epoll wake-up) is one; on a virtual machine each costs
// microseconds of kernel time, so switches per call explain much of a round trip's cost.
#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"

namespace rmb::bench {

// voluntary + nonvoluntary switches summed over /proc/<pid>/task/*/status (pid 0 = this
// process). Threads that ended are not counted.
absl::StatusOr<uint64_t> context_switches(pid_t pid);

}  // namespace rmb::bench
