// `rmb`: the command line of rmb-cpp (keys, twin directory entries; later devnet, call,
// send, serve, info, ping). Commands register themselves (tools/command.h); this file
// only dispatches and turns errors into one line on stderr plus an exit code.
#include <sodium.h>

#include <cstdio>
#include <exception>
#include <iostream>

#include "tools/command.h"

#ifndef RMB_VERSION
#define RMB_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace rmb::tools;
  if (sodium_init() < 0) {
    std::fputs("rmb: error: libsodium failed to initialise\n", stderr);
    return kExitFailure;
  }
  const Invocation top{"rmb", Args(argv + 1, argv + argc)};
  try {
    if (!top.args.empty() && top.args.front() == "--version") {
      print_out("rmb " RMB_VERSION "\n");
      return kExitOk;
    }
    return dispatch(top, "rmb: command line of rmb-cpp, the Reliable Message Bus", registered_commands());
  } catch (const CliError& e) {
    std::cerr << "rmb: error: " << e.what();
    if (!e.hint().empty()) std::cerr << " (" << e.hint() << ")";
    std::cerr << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "rmb: error: " << e.what() << "\n";
    return kExitFailure;
  }
}
