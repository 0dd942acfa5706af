// The rmb CLI's gRPC commands without a network: --help everywhere, usage errors (exit 2)
// and an unreachable rmb-peer (exit 3, one line naming the address).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "tests/support/process.h"

namespace rmb::test {
namespace {

TEST(CliOffline, EveryCommandHasHelp) {
  for (std::vector<std::string> cmd : {std::vector<std::string>{"call"},
                                       {"send"},
                                       {"serve"},
                                       {"info"},
                                       {"ping"},
                                       {"health"},
                                       {"devnet"},
                                       {"devnet", "up"},
                                       {"devnet", "down"},
                                       {"devnet", "status"}}) {
    cmd.push_back("--help");
    const auto r = run_rmb(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd[0] << "\n" << describe(r);
    EXPECT_NE(r.out.find("Usage: rmb " + cmd[0]), std::string::npos) << describe(r);
  }
  const auto top = run_rmb({"--help"});
  for (const char* name : {"call", "send", "serve", "info", "ping", "health", "devnet"}) {
    EXPECT_NE(top.out.find(std::string("  ") + name + " "), std::string::npos) << name << "\n" << top.out;
  }
}

TEST(CliOffline, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> bad = {
      {"call", "--cmd", "x"},                                  // no --dst
      {"call", "--dst", "1"},                                  // no --cmd
      {"call", "--dst", "abc", "--cmd", "x"},                  // not a twin
      {"call", "--dst", "0", "--cmd", "x"},                    // twin 0 is the relay
      {"call", "--dst", "1", "--cmd", "x", "--timeout", "0"},  // no time at all
      {"call", "--dst", "1", "--cmd", "x", "--data", "a", "--data-file", "f"},
      {"call", "--dst", "1", "--cmd", "x", "--repeat", "0"},
      {"send", "--dst", "1,x", "--cmd", "x"},
      {"serve", "--cmd", "x", "--error", "nope"},
      {"serve", "--cmd", "x", "--reply", "a", "--error", "1:a"},
      {"ping", "--dst", "1", "--interval", "0"},
      {"devnet", "up", "--twins", "0"},
      {"call", "--dst", "1", "--cmd", "x", "extra"},
  };
  for (const auto& args : bad) {
    const auto r = run_rmb(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << describe(r);
    EXPECT_TRUE(r.err.starts_with("rmb: error: ")) << joined << "\n" << describe(r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find("--help"), std::string::npos) << r.err;
  }
}

TEST(CliOffline, UnreachablePeerExitsThreeWithTheAddress) {
  const std::string addr = "127.0.0.1:" + std::to_string(closed_port());  // nothing listens
  const std::vector<std::vector<std::string>> cmds = {
      {"call", "--peer", addr, "--dst", "1", "--cmd", "echo"},
      {"send", "--peer", addr, "--dst", "1,2", "--cmd", "echo"},
      {"serve", "--peer", addr, "--cmd", "echo"},
      {"info", "--peer", addr},
      {"ping", "--peer", addr, "--dst", "1", "--count", "1"},
      {"health", "--peer", addr, "--timeout", "1"},
  };
  for (const auto& args : cmds) {
    const auto r = run_rmb(args);
    EXPECT_EQ(r.exit_code, 3) << args[0] << "\n" << describe(r);
    EXPECT_NE(r.err.find("cannot reach rmb-peer at " + addr), std::string::npos) << describe(r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
  // $RMB_PEER is the default address; a unix socket path works the same way.
  ::setenv("RMB_PEER", ("unix:/nonexistent/rmb-" + std::to_string(free_port()) + ".sock").c_str(), 1);
  const auto r = run_rmb({"info"});
  ::unsetenv("RMB_PEER");
  EXPECT_EQ(r.exit_code, 3) << describe(r);
  EXPECT_NE(r.err.find("cannot reach rmb-peer at unix:/nonexistent/"), std::string::npos) << describe(r);
}

TEST(CliOffline, DevnetStatusAndDownWithoutADevnetFail) {
  const std::string dir = "/nonexistent-devnet-" + std::to_string(free_port());
  auto r = run_rmb({"devnet", "status", "--dir", dir});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("no devnet runs from " + dir), std::string::npos) << describe(r);
  r = run_rmb({"devnet", "down", "--dir", dir});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
}

}  // namespace
}  // namespace rmb::test
