// A Python rmb app (Debian's python3-redis, /usr/bin/python3) against the front door:
// LPUSH to msgbus.system.local, BLPOP on msgbus.<cmd>, replies to msgbus.system.reply.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "compat/redis_front_door.h"
#include "tests/compat/front_door_fixture.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace rmb::compat {
namespace {

TEST(PythonClient, ExistingStyleAppWorksUnchanged) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  test::FakeGateway gateway(by_twin);
  auto door = start_redis_front_door({(*redis)->url()}, gateway, gateway);
  ASSERT_TRUE(door.ok()) << door.status();
  const char* src = std::getenv("RMB_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "RMB_SOURCE_DIR not set";
  auto py = test::ChildProcess::spawn({"/usr/bin/python3", std::string(src) + "/tests/compat/python_client.py",
                                       (*redis)->url(), std::to_string(FakeTwin::kSelf),
                                       std::to_string(FakeTwin::kUnknown), "55"});
  ASSERT_TRUE(py.ok()) << py.status();
  auto code = (*py)->stop(0, std::chrono::seconds(90));  // signal 0: just wait
  EXPECT_EQ(code, 0) << "the Python client reported failures (see its output above)";
  (*door)->stop();
}

}  // namespace
}  // namespace rmb::compat
