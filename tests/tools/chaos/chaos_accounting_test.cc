// The accounting rules of `rmb chaos` (docs/chaos.md), on facts made up here: which
// repeats to a service are the one allowed case, what counts as lost, wrong or a duplicate
// outcome, how a fault's recovery is measured, and that a seed fixes the fault plan.
#include <gtest/gtest.h>

#include <set>

#include "tools/chaos/fault_plan.h"
#include "tools/chaos/ledger.h"
#include "tools/chaos/topology.h"

namespace rmb::tools::chaos {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint t0() {
  static const TimePoint start = Clock::now();
  return start;
}
TimePoint at(int ms) { return t0() + milliseconds(ms); }

size_t route_to(const Topology& topology, uint32_t caller, Door door, uint32_t service, ServiceKind kind) {
  for (const auto& r : topology.routes) {
    if (r.caller == caller && r.door == door && r.service == service && r.kind == kind) return r.index;
  }
  ADD_FAILURE() << "no such route";
  return 0;
}

TEST(ChaosTopology, SixteenRoutesHalfFederated) {
  const Topology t = make_topology();
  ASSERT_EQ(t.routes.size(), 16u);
  size_t federated = 0;
  for (const auto& r : t.routes) federated += r.federated ? 1 : 0;
  EXPECT_EQ(federated, 8u);
  EXPECT_TRUE(t.routes[route_to(t, 1, Door::kGrpc, 4, ServiceKind::kRedis)].federated);
  EXPECT_FALSE(t.routes[route_to(t, 2, Door::kRedis, 4, ServiceKind::kGrpc)].federated);
  EXPECT_EQ(t.relay_of(t.killed_caller), 'A');
  EXPECT_EQ(t.relay_of(t.killed_service), 'B');
}

TEST(ChaosPayload, UniquePerAttemptAndParsesBack) {
  const std::string a = make_payload(41, 0, "1>4 grpc->grpc fed", 64);
  const std::string b = make_payload(41, 1, "1>4 grpc->grpc fed", 64);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  uint64_t seq = 0;
  uint32_t attempt = 9;
  ASSERT_TRUE(parse_payload(a, &seq, &attempt));
  EXPECT_EQ(seq, 41u);
  EXPECT_EQ(attempt, 0u);
  ASSERT_TRUE(parse_payload(b, &seq, &attempt));
  EXPECT_EQ(attempt, 1u);
  EXPECT_FALSE(parse_payload("hello", &seq, &attempt));
  EXPECT_FALSE(parse_payload("chaos x.1 ", &seq, &attempt));
}

TEST(ChaosRepeats, OnlyARepeatAcrossTheServicePeersCrashIsAllowed) {
  // Delivered by the first run of the service's peer, then by the run after its kill: allowed.
  auto r = classify_repeats({{4, 0, "u", at(100), 0}, {4, 0, "u", at(900), 1}});
  EXPECT_EQ(r.across_own_peer_crash, 1u);
  EXPECT_EQ(r.unexplained, 0u);
  // Both by the restarted peer: it delivered the request twice by itself.
  r = classify_repeats({{4, 0, "u", at(600), 1}, {4, 0, "u", at(900), 1}});
  EXPECT_EQ(r.across_own_peer_crash, 0u);
  EXPECT_EQ(r.unexplained, 1u);
  // No crash at all.
  r = classify_repeats({{4, 0, "u", at(100), 0}, {4, 0, "u", at(200), 0}, {4, 0, "u", at(300), 0}});
  EXPECT_EQ(r.unexplained, 2u);
  // Order of recording does not matter: three deliveries, the peer died between the 1st and 2nd.
  r = classify_repeats({{4, 0, "u", at(900), 1}, {4, 0, "u", at(100), 0}, {4, 0, "u", at(950), 1}});
  EXPECT_EQ(r.across_own_peer_crash, 1u);
  EXPECT_EQ(r.unexplained, 1u);
  // A single delivery is no repeat.
  r = classify_repeats({{4, 0, "u", at(100), 0}});
  EXPECT_EQ(r.across_own_peer_crash + r.unexplained, 0u);
}

class ChaosLedgerTest : public ::testing::Test {
 protected:
  Topology topology_ = make_topology();
};

TEST_F(ChaosLedgerTest, CountsEachKindOfOutcome) {
  Ledger ledger(6, topology_);
  const size_t fed = route_to(topology_, 1, Door::kRedis, 4, ServiceKind::kGrpc);
  for (uint64_t seq = 0; seq < 5; ++seq) ledger.begin(seq, fed, 0, at(0));
  ledger.delivered(0, {4, 0, "u0", at(10)});
  ASSERT_EQ(ledger.outcome_arrived(0, 0), 1u);
  ledger.finish(0, Result::kOk, "", "u0", at(20));
  ledger.finish(1, Result::kLost, "no outcome", "", at(60000));
  ledger.finish(2, Result::kWrong, "answered 'x'", "", at(20));
  ledger.finish(3, Result::kError, "RMB 0 from '0': relay said no", "", at(20));
  // #4: answered, then a second outcome for the same attempt reached the app.
  ledger.delivered(4, {4, 0, "u4", at(10)});
  ledger.outcome_arrived(4, 0);
  ledger.finish(4, Result::kOk, "", "", at(30));
  EXPECT_EQ(ledger.outcome_arrived(4, 0), 2u);
  ledger.stray("not ours");
  // #5 was never issued: not counted.

  const Summary s = ledger.summarize(t0());
  EXPECT_EQ(s.sent, 5u);
  EXPECT_EQ(s.answered_ok, 2u);
  EXPECT_EQ(s.lost, 1u);
  EXPECT_EQ(s.wrong, 1u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.app_dups, 1u);
  EXPECT_EQ(s.strays, 1u);
  EXPECT_EQ(s.service_dups, 0u);
  EXPECT_FALSE(s.passed());
  EXPECT_EQ(s.routes[fed].sent, 5u);
  EXPECT_EQ(s.routes[fed].lost, 1u);
  ASSERT_EQ(s.lost_examples.size(), 1u);
  EXPECT_NE(s.lost_examples[0].text.find("no service saw it"), std::string::npos) << s.lost_examples[0].text;
  EXPECT_EQ(s.latency.count, 2u);
  ASSERT_EQ(s.slowest.size(), 2u);
  EXPECT_EQ(s.slowest[0].seq, 4u);  // 30 ms, then #0's 20 ms
  EXPECT_EQ(s.slowest[1].seq, 0u);
}

TEST_F(ChaosLedgerTest, ServiceRepeatsSplitByTheServicePeersCrash) {
  Ledger ledger(3, topology_);
  const size_t to4 = route_to(topology_, 1, Door::kGrpc, 4, ServiceKind::kGrpc);
  const size_t to3 = route_to(topology_, 1, Door::kGrpc, 3, ServiceKind::kGrpc);
  for (uint64_t seq = 0; seq < 3; ++seq) ledger.begin(seq, seq == 2 ? to3 : to4, 0, at(0));
  EXPECT_EQ(ledger.peer_run(4), 0u);
  Fault kill;
  kill.kind = FaultKind::kServicePeerKill;
  kill.twin = 4;
  ledger.fault_started(kill, at(500));
  EXPECT_EQ(ledger.peer_run(4), 1u);
  EXPECT_EQ(ledger.peer_run(3), 0u);
  // #0 at twin 4 from its peer's first run, then from the restarted one: allowed, even
  // though the first delivery was read after the kill was recorded (the dying peer had
  // written it just before).
  ledger.delivered(0, {4, 0, "u0", at(510), 0});
  ledger.delivered(0, {4, 0, "u0", at(900), 1});
  // #1 at twin 4 twice from the restarted peer: a real duplicate.
  ledger.delivered(1, {4, 0, "u1", at(600), 1});
  ledger.delivered(1, {4, 0, "u1", at(700), 1});
  // #2 at twin 3 before and after twin 4's crash: not its own peer, a real duplicate.
  ledger.delivered(2, {3, 0, "u2", at(100), ledger.peer_run(3)});
  ledger.delivered(2, {3, 0, "u2", at(900), ledger.peer_run(3)});
  for (uint64_t seq = 0; seq < 3; ++seq) ledger.finish(seq, Result::kOk, "", "", at(1000));

  const Summary s = ledger.summarize(t0());
  EXPECT_EQ(s.service_dups_own_peer_crash, 1u);
  EXPECT_EQ(s.service_dups, 2u);
  EXPECT_FALSE(s.passed());
}

TEST_F(ChaosLedgerTest, AllowedRepeatAloneStillPasses) {
  Ledger ledger(1, topology_);
  ledger.begin(0, route_to(topology_, 2, Door::kGrpc, 4, ServiceKind::kRedis), 0, at(0));
  Fault kill;
  kill.kind = FaultKind::kServicePeerKill;
  kill.twin = 4;
  ledger.delivered(0, {4, 0, "u0", at(100), ledger.peer_run(4)});
  ledger.fault_started(kill, at(500));
  ledger.delivered(0, {4, 0, "u0", at(900), ledger.peer_run(4)});
  ledger.finish(0, Result::kOk, "", "", at(1000));
  const Summary s = ledger.summarize(t0());
  EXPECT_EQ(s.service_dups_own_peer_crash, 1u);
  EXPECT_TRUE(s.passed());
}

TEST_F(ChaosLedgerTest, ReissueAfterTheCallersOwnPeerDiedIsNoDuplicate) {
  Ledger ledger(1, topology_);
  const size_t route = route_to(topology_, 1, Door::kGrpc, 3, ServiceKind::kGrpc);
  Fault kill;
  kill.kind = FaultKind::kCallerPeerKill;
  kill.twin = 1;
  ledger.begin(0, route, 0, at(0));
  ledger.delivered(0, {3, 0, "u0", at(100)});
  EXPECT_TRUE(ledger.peer_back(1));
  ledger.fault_started(kill, at(200));
  EXPECT_FALSE(ledger.peer_back(1));
  EXPECT_TRUE(ledger.peer_back(2));
  ledger.fault_ready(0, at(350));
  EXPECT_TRUE(ledger.peer_back(1));
  EXPECT_TRUE(ledger.peer_killed_between(1, at(0), at(300)));
  EXPECT_FALSE(ledger.peer_killed_between(2, at(0), at(300)));
  EXPECT_FALSE(ledger.peer_killed_between(1, at(300), at(400)));
  ledger.outcome_arrived(0, 0);  // the error the app saw
  ledger.begin(0, route, 1, at(400));
  ledger.delivered(0, {3, 1, "u1", at(900)});
  ledger.outcome_arrived(0, 1);
  ledger.finish(0, Result::kOk, "", "u1", at(1000));
  const Summary s = ledger.summarize(t0());
  EXPECT_EQ(s.reissued, 1u);
  EXPECT_EQ(s.reissued_service_saw_both, 1u);
  EXPECT_EQ(s.service_dups, 0u);
  EXPECT_EQ(s.app_dups, 0u);
  EXPECT_TRUE(s.passed());
  EXPECT_NEAR(s.latency.max_ms, 1000.0, 1.0);  // from the first attempt
}

TEST_F(ChaosLedgerTest, DeliveryToTheWrongTwinIsWrong) {
  Ledger ledger(1, topology_);
  ledger.begin(0, route_to(topology_, 1, Door::kGrpc, 3, ServiceKind::kGrpc), 0, at(0));
  ledger.delivered(0, {4, 0, "u0", at(100)});
  ledger.finish(0, Result::kOk, "", "", at(200));
  EXPECT_EQ(ledger.summarize(t0()).wrong, 1u);
}

TEST_F(ChaosLedgerTest, RecoveryIsWhenEveryAffectedRouteAnsweredANewRequest) {
  const size_t n = topology_.routes.size();
  Ledger ledger(2 * n, topology_);
  Fault kill;
  kill.kind = FaultKind::kRelayKill;
  kill.relay = 'A';
  const auto affected = affected_routes(kill, topology_);
  EXPECT_EQ(affected.size(), 12u);  // all but twin 2 -> twin 4, local to B
  ledger.fault_started(kill, at(1000));
  ledger.fault_ready(0, at(1300));
  // Requests sent before the fault do not count, even when answered after it.
  for (size_t r = 0; r < n; ++r) {
    ledger.begin(r, r, 0, at(900));
    ledger.finish(r, Result::kOk, "", "", at(1100));
  }
  // After it, every route answers at 1500 except one affected route, at 4000.
  for (size_t r = 0; r < n; ++r) {
    ledger.begin(n + r, r, 0, at(1001));
    ledger.finish(n + r, Result::kOk, "", "", r == affected.back() ? at(4000) : at(1500));
  }
  Summary s = ledger.summarize(t0());
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_EQ(s.faults[0].routes, 12u);
  EXPECT_NEAR(s.faults[0].downtime_ms, 300.0, 1.0);
  ASSERT_TRUE(s.faults[0].recovery_ms.has_value());
  EXPECT_NEAR(*s.faults[0].recovery_ms, 3000.0, 1.0);
}

TEST_F(ChaosLedgerTest, NoAnswerAfterTheFaultIsNotRecovered) {
  Ledger ledger(1, topology_);
  Fault kill;
  kill.kind = FaultKind::kRedisRestart;
  ledger.fault_started(kill, at(1000));
  ledger.begin(0, 0, 0, at(1001));
  ledger.finish(0, Result::kLost, "no outcome", "", at(9000));
  const Summary s = ledger.summarize(t0());
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_FALSE(s.faults[0].recovery_ms.has_value());
}

TEST(ChaosFaultPlan, SeededDistinctAndInsideTheLoad) {
  const Topology t = make_topology();
  PlanOptions o;
  o.requests = 100000;
  o.relay_kills = 10;
  o.seed = 7;
  o.max_downtime = milliseconds(1000);
  const auto a = make_fault_plan(o, t);
  const auto b = make_fault_plan(o, t);
  ASSERT_EQ(a.size(), 13u);
  std::set<uint64_t> triggers;
  size_t relays = 0, redis = 0, callers = 0, services = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].trigger, b[i].trigger);
    EXPECT_EQ(a[i].kind, b[i].kind);
    EXPECT_EQ(a[i].downtime, b[i].downtime);
    EXPECT_GE(a[i].trigger, 5000u);
    EXPECT_LT(a[i].trigger, 85000u);
    EXPECT_LE(a[i].downtime, milliseconds(1000));
    if (i > 0) {
      EXPECT_GT(a[i].trigger, a[i - 1].trigger);
    }
    triggers.insert(a[i].trigger);
    relays += a[i].kind == FaultKind::kRelayKill;
    redis += a[i].kind == FaultKind::kRedisRestart;
    callers += a[i].kind == FaultKind::kCallerPeerKill && a[i].twin == t.killed_caller;
    services += a[i].kind == FaultKind::kServicePeerKill && a[i].twin == t.killed_service;
  }
  EXPECT_EQ(triggers.size(), 13u);
  EXPECT_EQ(relays, 10u);
  EXPECT_EQ(redis, 1u);
  EXPECT_EQ(callers, 1u);
  EXPECT_EQ(services, 1u);
  o.seed = 8;
  const auto c = make_fault_plan(o, t);
  bool differs = false;
  for (size_t i = 0; i < a.size(); ++i) differs |= a[i].trigger != c[i].trigger;
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace rmb::tools::chaos
