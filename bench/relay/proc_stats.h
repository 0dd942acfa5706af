#pragma once
// Process-level facts the bench needs: file-descriptor limit, CPU placement, RSS.
#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace rmb::bench {

// Raises RLIMIT_NOFILE's soft limit to the hard limit (10 000 idle clients need it;
// children inherit it). Returns the new soft limit.
absl::StatusOr<uint64_t> raise_nofile_limit();

// The CPUs this process may run on.
std::vector<int> allowed_cpus();
// Restricts `pid` (0 = the calling thread/process) to `cpus`.
absl::Status pin_to_cpus(pid_t pid, const std::vector<int>& cpus);

// The 1-minute load average (/proc/loadavg); -1 if unreadable. Other work on the
// machine skews every number, so the bench prints it next to each table.
double load_average_1m();

// CPU time (user + system, all threads) of `pid` from /proc/<pid>/stat, in seconds;
// pid 0 = this process (getrusage). Under contention a server gets less than a core, so
// CPU time per message is the number that survives a busy machine.
absl::StatusOr<double> cpu_seconds(pid_t pid);

// VmRSS of /proc/<pid>/status in KiB.
absl::StatusOr<uint64_t> read_rss_kib(pid_t pid);

}  // namespace rmb::bench
