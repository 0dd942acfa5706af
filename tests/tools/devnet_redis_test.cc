// `rmb devnet up --redis`: a redis-server holds the relay's mailboxes (db 0) and every
// peer serves the rmb-peer Redis queues (db N for twin N), so a plain redis-cli client
// calls twin 1's echo service through twin 2.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::test {
namespace {

std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

TEST(DevnetRedis, RedisCliCallsTheEchoServiceThroughTheCompatFrontDoor) {
  const std::string dir = make_temp_dir("rmb-devnet-redis");
  auto r = run_rmb({"devnet", "up", "--detach", "--redis", "--dir", dir, "--relay-port", std::to_string(free_port()),
                    "--redis-port", std::to_string(free_port()), "--peer-port", std::to_string(free_port()),
                    "--metrics-port", std::to_string(free_port())});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("redis-cli -p "), std::string::npos) << r.out;
  r = run_rmb({"devnet", "status", "--dir", dir, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto state = nlohmann::json::parse(r.out);
  const std::string redis = state["redis"];
  const std::string port = redis.substr(redis.rfind(':') + 1);
  EXPECT_EQ(state["processes"].size(), 5u);  // redis, relay, 2 peers, echo

  // (a) on twin 2's queue, (d) back on our own list: shapes of PROTOCOL.md §8.4.
  const std::string request =
      R"({"ver":1,"ref":"r1","cmd":"echo","exp":60,"dat":"aGk=","tag":null,"dst":[1],"ret":"test.replies","shm":null,"now":0})";
  shell("redis-cli -p " + port + " -n 2 LPUSH msgbus.system.local '" + request + "'");
  const std::string popped = shell("redis-cli -p " + port + " -n 2 --raw BRPOP test.replies 20");
  std::istringstream lines(popped);
  std::string key, value;
  std::getline(lines, key);
  std::getline(lines, value);
  EXPECT_EQ(key, "test.replies") << popped;
  if (!value.empty()) {
    const auto reply = nlohmann::json::parse(value);
    EXPECT_EQ(reply["ref"], "r1");
    EXPECT_EQ(reply["src"], "1");
    EXPECT_EQ(reply["dat"], "aGk=");
    EXPECT_TRUE(reply["err"].is_null()) << value;
  }

  // The other way across the front doors: a gRPC Call (rmb call on twin 1's peer) answered
  // by a Redis worker on twin 2's queues, (b) popped and (c) pushed the way rmb apps do.
  const std::string called = dir + "/call.out";
  std::string grpc1 = state["peers"][0]["grpc"];
  shell(rmb_binary() + " call --peer " + grpc1 + " --dst 2 --cmd redis.job --data ping > " + called + " 2>&1 &");
  const std::string job = shell("redis-cli -p " + port + " -n 2 --raw BRPOP msgbus.redis.job 20");
  std::istringstream job_lines(job);
  std::getline(job_lines, key);
  std::getline(job_lines, value);
  ASSERT_EQ(key, "msgbus.redis.job") << job;
  const auto incoming = nlohmann::json::parse(value);
  EXPECT_EQ(incoming["src"], "1");
  EXPECT_EQ(incoming["dat"], "cGluZw==");  // "ping"
  nlohmann::json answer = {{"ver", 1},
                           {"ref", incoming["ref"]},
                           {"dat", "cG9uZw=="},  // "pong"
                           {"dst", incoming["src"]},
                           {"shm", nullptr},
                           {"now", 0},
                           {"err", nullptr}};
  shell("redis-cli -p " + port + " -n 2 LPUSH msgbus.system.reply '" + answer.dump() + "'");
  std::string out;
  for (int i = 0; i < 100 && out.find("pong") == std::string::npos; ++i) {
    ::usleep(100000);
    out = shell("cat " + called);
  }
  EXPECT_NE(out.find("pong"), std::string::npos) << out;

  r = run_rmb({"devnet", "down", "--dir", dir});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("stopped 5 processes"), std::string::npos) << describe(r);
}

}  // namespace
}  // namespace rmb::test
