// `rmb chaos` at the size CI can afford (about 2,000 requests, 3 relay kills, a Redis
// restart, a caller-side and a service-side rmb-peer kill), run through the real `rmb`
// binary against real rmb-relay, rmb-peer and redis-server processes: nothing may be lost,
// duplicated or mixed up, and every fault must be recovered from. The seed differs per run
// and is in the failure message, to repeat a failing run with `rmb chaos --seed S`. Requests
// keep the default 60 s expiration: a frame a relay drops is recovered by the gateway's
// resend timer (10 s, doubling), and the test asserts that it is, not how fast.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace rmb::test {
namespace {

TEST(ChaosSoak, NothingLostOrDuplicatedThroughRelayRedisAndPeerFaults) {
  const ProcessResult r = run_rmb({"chaos", "--requests", "2000", "--concurrency", "16", "--relay-kills", "3",
                                   "--max-downtime", "500", "--progress", "2", "--json"});
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    FAIL() << "rmb chaos printed no JSON (" << e.what() << "):\n" << describe(r);
  }
  const std::string context = "seed " + j.value("seed", nlohmann::json()).dump() + "\n" + j.dump(2) + "\n" + r.err;
  EXPECT_TRUE(j["aborted"].is_null()) << context;
  EXPECT_EQ(j["sent"], 2000) << context;
  EXPECT_EQ(j["answered"], 2000) << context;
  EXPECT_EQ(j["lost"], 0) << context;
  EXPECT_EQ(j["errors"], 0) << context;
  EXPECT_EQ(j["wrong"], 0) << context;
  EXPECT_EQ(j["service_duplicates"], 0) << context;
  EXPECT_EQ(j["app_duplicates"], 0) << context;
  EXPECT_EQ(j["strays"], 0) << context;
  ASSERT_EQ(j["faults"].size(), 6u) << context;  // 3 relay kills, Redis, 2 peers
  for (const auto& f : j["faults"]) EXPECT_FALSE(f["recovered_in_ms"].is_null()) << f.dump() << "\n" << context;
  EXPECT_EQ(j["passed"], true) << context;
  EXPECT_EQ(r.exit_code, 0) << context;
}

}  // namespace
}  // namespace rmb::test
