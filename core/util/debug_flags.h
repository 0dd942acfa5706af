#pragma once
// rmb-rs counts -d (-d debug, -dd trace) on both binaries; Boost.program_options takes a
// switch once. The command line is read through this first: every -d, -dd, ... and --debug
// is taken out and counted, the rest is handed to program_options unchanged.
#include <vector>

namespace rmb::core {

struct DebugFlags {
  std::vector<const char*> argv;  // argv[0] and every other argument, in order
  unsigned count = 0;             // -d counts 1, -dd 2, --debug 1
};

DebugFlags take_debug_flags(int argc, const char* const* argv);

}  // namespace rmb::core
