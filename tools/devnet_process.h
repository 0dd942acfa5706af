#pragma once
// Processes `rmb devnet` starts and later finds again by pid (possibly from another `rmb`
// run): each in its own session (so a detached devnet outlives the terminal and Ctrl-C
// reaches only the supervisor, which stops them in order), output appended to a log file.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rmb::tools::devnet {

struct SpawnSpec {
  std::string name;                                      // "relay", "peer1", ...
  std::vector<std::string> argv;                         // argv[0] is the program's path
  std::vector<std::pair<std::string, std::string>> env;  // added to ours
  std::string log_path;
};

// Starts the process; the error text says what failed.
pid_t spawn(const SpawnSpec& spec, std::string* error);

// Whether `pid` runs the program `program` (basename compared with /proc/<pid>/exe, so a
// reused pid is never mistaken for ours). Zombies count as gone.
bool alive(pid_t pid, const std::string& program);
// Reaps `pid` if it is our child and has exited; returns its exit text ("exit 1",
// "signal 9") then.
std::optional<std::string> reap_if_exited(pid_t pid);

// SIGTERM to each, wait up to `grace` for all, then SIGKILL to the rest.
void stop_all(const std::vector<std::pair<pid_t, std::string>>& pid_programs,
              std::chrono::milliseconds grace = std::chrono::seconds(10));

// A TCP port on 127.0.0.1 from `from` upwards that we can bind now and is not in `taken`.
std::optional<uint16_t> free_port_from(uint16_t from, const std::vector<uint16_t>& taken);
// Whether something accepts TCP connections on 127.0.0.1:port.
bool port_accepts(uint16_t port);

// The last `lines` lines of a file (for failure reports).
std::string tail_file(const std::string& path, size_t lines);

// The absolute path of the running `rmb`.
std::string self_exe();
// Finds a program: next to `rmb`, in the build tree beside it (../relay, ../gateway), in
// `bin_dir` when given, then on PATH. Empty when not found.
std::string find_program(const std::string& name, const std::string& bin_dir);

}  // namespace rmb::tools::devnet
