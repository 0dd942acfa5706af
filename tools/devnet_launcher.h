#pragma once
// Starting the devnet's processes one by one and watching them: each start is recorded in
// the state file at once, a failed start stops everything started so far, and the
// foreground `up` shows the children's logs on the terminal.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/devnet_process.h"
#include "tools/devnet_state.h"
#include "tools/signal_waiter.h"

namespace rmb::tools::devnet {

// Child logs on the terminal, each line prefixed with its process's name.
class LogTail {
 public:
  explicit LogTail(const std::vector<Proc>& procs);
  void add(const Proc& p);
  // Starts after what the logs hold now.
  void skip_existing();
  // Prints the complete lines written since the last call.
  void pump();

 private:
  struct File {
    std::string name, path;
    uint64_t offset;
    std::string partial;
  };
  std::vector<File> files_;
};

// Starts processes into `state`; unless commit() is called, its destructor stops them all
// and removes the state file (a failed or interrupted `up` leaves nothing behind).
class Launcher {
 public:
  Launcher(State& state, const SignalWaiter& signals) : state_(state), signals_(signals) {}
  ~Launcher();
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  void commit() { committed_ = true; }
  void stop();
  const Proc& start(SpawnSpec spec);
  // Waits until `ready()` holds; fails with the log's tail if the process dies or time runs out.
  void wait_ready(const Proc& p, const std::function<bool()>& ready, const std::string& what,
                  std::chrono::seconds timeout = std::chrono::seconds(30));

 private:
  State& state_;
  const SignalWaiter& signals_;
  bool committed_ = false;
};

bool log_contains(const std::string& path, const std::string& needle);
// The first free port from `from` up, not in `taken` (then added to it); says so on stderr
// when it is not `from`. `what` names its user in messages.
uint16_t pick_port(uint16_t from, std::vector<uint16_t>& taken, const std::string& what);
// The path of program `name` (see find_program), or a failure with `hint`.
std::string require_program(const std::string& name, const std::string& bin_dir, const std::string& hint);

}  // namespace rmb::tools::devnet
