#pragma once
// Runs the `rmb` binary of the build tree as a child process and captures what it prints.
#include <string>
#include <vector>

namespace rmb::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string rmb_binary();  // $RMB_BUILD_DIR/tools/rmb
// Runs `rmb args...` with `input` on stdin; waits for it to end.
RunResult run_rmb(const std::vector<std::string>& args, const std::string& input = "");
std::string describe(const RunResult& r);  // for assertion messages

}  // namespace rmb::test
