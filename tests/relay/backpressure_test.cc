// A session that does not read: its queue fills, further mail waits in the mailbox and
// arrives in order once it reads; stuck too long, it is evicted and its mail kept.
#include <thread>

#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

class RelayBackPressure : public RelayTest {
 protected:
  // The relay counts a message out of the mailbox when its write completes, which may be
  // just after the client has read it: wait (bounded) for the count to settle.
  double drained_depth() {
    return wait_for_metric("relay_mailbox_depth", [](double depth) { return depth == 0; });
  }
};

constexpr int kMessages = 300;
const size_t kPayload = 50000;  // 300 x 50 kB: far more than the loopback socket buffers

std::string payload(int i) { return std::to_string(i) + ":" + std::string(kPayload, 'p'); }

int index_of(const rmb::Envelope& env) { return std::stoi(env.plain().substr(0, env.plain().find(':'))); }

TEST_F(RelayBackPressure, SlowReaderGetsEverythingInOrder) {
  start_relay({"--send-queue", "4"});
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(a->send(a->request_to(2, std::nullopt, "bulk", payload(i))).ok());
  sync(*a);
  // b has not read anything yet: the overflow waits in the mailbox.
  EXPECT_GT(metric("relay_mailbox_depth"), 0);
  for (int i = 0; i < kMessages; ++i) {
    auto env = b->receive();
    ASSERT_TRUE(env.ok()) << i << ": " << env.status();
    ASSERT_EQ(index_of(*env), i);
  }
  EXPECT_EQ(drained_depth(), 0);
  expect_round_trip(*a, *b);
}

TEST_F(RelayBackPressure, StuckSessionIsEvictedAndItsMailKept) {
  start_relay({"--send-queue", "4", "--back-pressure-timeout", "1"});
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  b->limit_receive_buffer(4096);
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(a->send(a->request_to(2, std::nullopt, "bulk", payload(i))).ok());
  sync(*a);
  // Wait (bounded) for the eviction.
  ASSERT_EQ(wait_for_metric(
                "relay_session_evictions_total{reason=\"back_pressure_timeout\"}", [](double n) { return n >= 1; },
                std::chrono::seconds(20)),
            1);
  // What the old socket did not take is waiting for the next connection, in order, up to
  // the newest message.
  auto again = connect(2);
  ASSERT_TRUE(again);
  int last = -1;
  while (last < kMessages - 1) {
    auto env = again->receive();
    ASSERT_TRUE(env.ok()) << "after " << last << ": " << env.status();
    const int i = index_of(*env);
    ASSERT_GT(i, last);
    last = i;
  }
  EXPECT_EQ(drained_depth(), 0);
}

}  // namespace
}  // namespace rmb::relay
