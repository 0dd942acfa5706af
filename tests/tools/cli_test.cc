// The rmb CLI against a real network started by `rmb devnet up --detach`: rmb-relay, an
// rmb-peer per twin, the echo service on twin 1. Every command runs as its own process.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::test {
namespace {

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(make_temp_dir("rmb-cli-devnet"));
    // Ports from a random free one upwards, so parallel test runs do not collide.
    const std::string base = std::to_string(free_port());
    auto r = run_rmb({"devnet", "up", "--detach", "--twins", "2", "--dir", *dir_, "--relay-port", base, "--peer-port",
                      std::to_string(free_port()), "--metrics-port", std::to_string(free_port())});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    up_output_ = new std::string(r.out);
    r = run_rmb({"devnet", "status", "--dir", *dir_, "--json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const auto state = nlohmann::json::parse(r.out);
    peer1_ = new std::string(state["peers"][0]["grpc"].get<std::string>());
    peer2_ = new std::string(state["peers"][1]["grpc"].get<std::string>());
  }
  static void TearDownTestSuite() {
    if (dir_ == nullptr) return;
    const auto r = run_rmb({"devnet", "down", "--dir", *dir_});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("stopped 4 processes"), std::string::npos) << describe(r);  // relay, 2 peers, echo
    const auto after = run_rmb({"devnet", "status", "--dir", *dir_});
    EXPECT_EQ(after.exit_code, 1) << describe(after);
  }
  static inline std::string* dir_ = nullptr;
  static inline std::string* up_output_ = nullptr;
  static inline std::string* peer1_ = nullptr;
  static inline std::string* peer2_ = nullptr;
};

TEST_F(CliTest, DevnetUpReportsTheCheckedCallAndWhereThingsListen) {
  EXPECT_NE(up_output_->find("Checked: twin 2"), std::string::npos) << *up_output_;
  EXPECT_NE(up_output_->find("reply \"hello from twin 2\""), std::string::npos) << *up_output_;
  EXPECT_NE(up_output_->find("rmb-peer grpc " + *peer1_), std::string::npos) << *up_output_;
  EXPECT_NE(up_output_->find("call --peer " + *peer2_ + " --dst 1 --cmd echo"), std::string::npos) << *up_output_;
  const auto r = run_rmb({"devnet", "status", "--dir", *dir_});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("4/4 processes running"), std::string::npos) << describe(r);
  // A second `up` on the same directory refuses, naming the way out.
  const auto again = run_rmb({"devnet", "up", "--detach", "--dir", *dir_});
  EXPECT_EQ(again.exit_code, 1) << describe(again);
  EXPECT_NE(again.err.find("already running"), std::string::npos) << describe(again);
}

TEST_F(CliTest, CallPrintsTheEchoedDataByteForByte) {
  const auto r = run_rmb({"call", "--peer", *peer2_, "--dst", "1", "--cmd", "echo", "--data", "{\"a\":1}"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "{\"a\":1}");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, CallTakesDataFromStdinAndFromAFile) {
  const std::string binary("line one\nline two\n\x01\x02", 20);
  auto r = run_rmb({"call", "--peer", *peer2_, "--dst", "1", "--cmd", "echo", "--data", "-"}, {.input = binary});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, binary);
  const std::string file = *dir_ + "/request.bin";
  { std::ofstream(file, std::ios::binary) << "from a file"; }
  r = run_rmb({"call", "--peer", *peer2_, "--dst", "1", "--cmd", "echo", "--data-file", file});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "from a file");
}

TEST_F(CliTest, CallJsonHasUidSourceDataAndLatency) {
  const auto r = run_rmb({"call", "--peer", *peer2_, "--dst", "1", "--cmd", "echo", "--data", "hi", "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["data"], "hi");
  EXPECT_EQ(j["source"], "1");
  EXPECT_EQ(j["uid"].get<std::string>().size(), 36u);  // UUID text
  EXPECT_GT(j["latency_ms"].get<double>(), 0);
  EXPECT_GT(j["timestamp"].get<uint64_t>(), 1700000000u);
}

TEST_F(CliTest, CallToAnUnknownTwinIsAnRmbErrorExitOne) {
  const auto r = run_rmb({"call", "--peer", *peer2_, "--dst", "4242", "--cmd", "echo", "--timeout", "10"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_TRUE(r.err.starts_with("rmb: error: ")) << describe(r);
  EXPECT_NE(r.err.find("[NOT_FOUND]"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("not in the twin directory"), std::string::npos) << describe(r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(r);

  const auto j = run_rmb({"call", "--peer", *peer2_, "--dst", "4242", "--cmd", "echo", "--json"});
  EXPECT_EQ(j.exit_code, 1) << describe(j);
  const auto e = nlohmann::json::parse(j.out)["error"];
  EXPECT_EQ(e["grpc_code"], "NOT_FOUND");
  EXPECT_EQ(e["exit_code"], 1);
}

TEST_F(CliTest, ACommandNobodyServesFailsAtOnceWithAHint) {
  const auto r = run_rmb({"call", "--peer", *peer1_, "--dst", "2", "--cmd", "nothing.here", "--timeout", "20"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("no service for command 'nothing.here'"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("'rmb serve --cmd nothing.here'"), std::string::npos) << describe(r);
}

TEST_F(CliTest, ServiceErrorsAndRepliesReachTheCaller) {
  auto fixed = ChildProcess::spawn({rmb_binary(), "serve", "--peer", *peer2_, "--cmd", "calc.add", "--reply", "42"});
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  auto failing = ChildProcess::spawn(
      {rmb_binary(), "serve", "--peer", *peer2_, "--cmd", "calc.div", "--error", "500:division by zero"});
  ASSERT_TRUE(failing.ok()) << failing.status();
  // Registration takes a moment; until then the call has no service to reach. (A timeout of
  // 10 s, not 3: timestamps are whole seconds, so 3 left the round trip as little as 2 s.)
  ProcessResult r;
  for (int i = 0; i < 100; ++i) {
    r = run_rmb(
        {"call", "--peer", *peer1_, "--dst", "2", "--cmd", "calc.add", "--data", "{\"a\":1}", "--timeout", "10"});
    if (r.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "42");

  // The two serve processes register independently: calc.div may still be unregistered
  // (which also exits 1) after calc.add answered. Wait for its registration only.
  for (int i = 0; i < 100; ++i) {
    r = run_rmb({"call", "--peer", *peer1_, "--dst", "2", "--cmd", "calc.div", "--timeout", "10"});
    if (r.exit_code != 0 && r.err.find("no service for command 'calc.div'") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("RMB error 500 from twin 2: division by zero"), std::string::npos) << describe(r);

  EXPECT_EQ((*fixed)->stop(SIGINT), 0);  // Ctrl-C ends serve cleanly
  EXPECT_EQ((*failing)->stop(SIGTERM), 0);
}

TEST_F(CliTest, RepeatPrintsASummaryWithPercentiles) {
  auto r = run_rmb({"call", "--peer", *peer2_, "--dst", "1", "--cmd", "echo", "--data", "x", "--repeat", "60",
                    "--concurrency", "4"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("60 calls to twin 1 'echo': 60 ok, 0 errors"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("p99 "), std::string::npos) << describe(r);
  r = run_rmb({"call", "--peer", *peer2_, "--dst", "1", "--cmd", "echo", "--repeat", "20", "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["calls"], 20);
  EXPECT_EQ(j["ok"], 20);
  EXPECT_LE(j["latency_ms"]["p50"].get<double>(), j["latency_ms"]["p99"].get<double>());
  EXPECT_LE(j["latency_ms"]["min"].get<double>(), j["latency_ms"]["p50"].get<double>());
  // Some failing: the summary counts them and the exit code says so.
  r = run_rmb({"call", "--peer", *peer2_, "--dst", "4242", "--cmd", "echo", "--repeat", "3"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("0 ok, 3 errors"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("3 x "), std::string::npos) << describe(r);
}

TEST_F(CliTest, SendStreamsOneLinePerDestination) {
  auto r = run_rmb({"send", "--peer", *peer1_, "--dst", "1,2", "--cmd", "rmb.version"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << describe(r);
  EXPECT_NE(r.out.find("1: \""), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("2: \""), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("2 destinations: 2 replies, 0 errors"), std::string::npos) << describe(r);

  r = run_rmb({"send", "--peer", *peer1_, "--dst", "1", "--dst", "4242", "--cmd", "echo", "--data", "d", "--json"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  std::istringstream lines(r.out);
  std::string line;
  int replies = 0, errors = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("reply")) {
      ++replies;
      EXPECT_EQ(j["destination"], "1");
      EXPECT_EQ(j["reply"]["data"], "d");
    } else {
      ++errors;
      EXPECT_EQ(j["destination"], "4242");
      EXPECT_EQ(j["error"]["grpc_code"], "NOT_FOUND") << line;
    }
  }
  EXPECT_EQ(replies, 1) << r.out;
  EXPECT_EQ(errors, 1) << r.out;
}

TEST_F(CliTest, InfoShowsTheTwinAndItsConnectedRelay) {
  auto r = run_rmb({"info", "--peer", *peer1_});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("twin      1\n"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("key type  ed25519"), std::string::npos) << describe(r);
  r = run_rmb({"info", "--peer", *peer2_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["twin"], 2);
  ASSERT_EQ(j["relays"].size(), 1u);
  EXPECT_EQ(j["relays"][0]["state"], "connected");
  EXPECT_EQ(j["e2e_public_key"].get<std::string>().size(), 66u);
}

TEST_F(CliTest, PingPrintsEachReplyAndStatistics) {
  // Each probe's timeout (default 5 s, 4 to 5 s with whole-second timestamps) generous for
  // a loaded machine: a late reply would count as loss.
  const auto r =
      run_rmb({"ping", "--peer", *peer1_, "--dst", "2", "--count", "3", "--interval", "0.05", "--timeout", "20"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n') >= 6, true) << describe(r);
  EXPECT_NE(r.out.find("reply from twin 2: seq=3 version \""), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("3 probes, 3 replies, 0% loss"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("rtt min/avg/max/mdev = "), std::string::npos) << describe(r);
  const auto lost = run_rmb({"ping", "--peer", *peer1_, "--dst", "4242", "--count", "1"});
  EXPECT_EQ(lost.exit_code, 1) << describe(lost);
  EXPECT_NE(lost.out.find("1 probes, 0 replies, 100% loss"), std::string::npos) << describe(lost);
}

TEST_F(CliTest, HealthSaysServing) {
  const auto r = run_rmb({"health", "--peer", *peer1_});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "SERVING\n");
}

}  // namespace
}  // namespace rmb::test
