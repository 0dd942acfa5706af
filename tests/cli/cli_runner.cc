#include "tests/cli/cli_runner.h"

#include <sys/wait.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/twins.h"

namespace rmb::test {
namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string rmb_binary() {
  const char* build = std::getenv("RMB_BUILD_DIR");
  return std::string(build ? build : "build/release") + "/tools/rmb";
}

RunResult run_rmb(const std::vector<std::string>& args, const std::string& input) {
  static const std::string dir = make_temp_dir("rmb-cli-run");
  static int counter = 0;
  const std::string base = dir + "/" + std::to_string(++counter);
  { std::ofstream(base + ".in", std::ios::binary) << input; }
  std::string cmd = quote(rmb_binary());
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " <" + base + ".in >" + base + ".out 2>" + base + ".err";
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  return r;
}

std::string describe(const RunResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

}  // namespace rmb::test
