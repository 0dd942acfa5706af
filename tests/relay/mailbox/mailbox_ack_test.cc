// Issue 11, the relay's Redis mailbox: an entry leaves the stream only once its frame was
// written to the twin's socket (PROTOCOL.md §5.7 "after a successful write"). Real rmb-relay
// processes on a real redis-server; a twin with many stored frames reads slowly while the
// relay is SIGKILLed, or while the twin itself drops the connection.
//
// What each check means: frames the relay had written to the socket before a crash are the
// twin's (the kernel still delivers them); everything else must come back from the stream,
// in order, on the next connection. Duplicates are allowed (at-least-once), gaps and
// reordering are not.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "tests/support/poll.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"
#include "tests/support/ws_client.h"

namespace rmb::relay {
namespace {

using namespace std::chrono_literals;

// Large frames so that what the relay's queue holds (send queue of 256) is far more than
// the kernel's socket buffers absorb (a few MiB at most).
constexpr int kFrames = 600;
constexpr size_t kFrameBytes = 64 * 1024;

class MailboxAckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("relayfed-ack");
    twins_ = test::make_twins(2, 1, {"relay.test"});
    ASSERT_TRUE(test::write_directory(dir_ + "/twins.json", twins_).ok());
  }

  // The first start binds a port of the kernel's choosing; a restart binds the same one.
  void start_relay() {
    auto relay = test::RelayProcess::start_on(port_, {"--threads", "2", "--directory", dir_ + "/twins.json", "--domain",
                                                      "relay.test", "--redis", redis_->url(), "--no-federation"});
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);
    port_ = relay_->port();
  }

  long long xlen() {
    auto conn = core::RedisConn::connect(*core::parse_redis_url(redis_->url()), 2000ms);
    if (!conn.ok()) return -1;
    auto r = (*conn)->command({"XLEN", "stream:2"});
    return r.ok() ? (*r)->integer : -1;
  }

  // Waits until the stream length stays the same over two looks 300 ms apart (the relay
  // has offered what its session takes and deleted what it deletes). A wait, not an
  // assertion: stopping early only makes the check weaker.
  long long settled_xlen(long long at_most) {
    long long last = -2;
    return test::poll_until(
        [&] {
          const long long now = xlen();
          const bool same = now == last;
          last = now;
          return same ? now : -3;
        },
        [&](long long v) { return v >= 0 && v <= at_most; }, 20s, 300ms);
  }

  // Twin 1 sends kFrames requests to offline twin 2; they wait in stream:2.
  void store_frames() {
    auto sender = test::WsClient::connect(port_, twins_[0]);
    ASSERT_TRUE(sender.ok()) << sender.status();
    for (int i = 0; i < kFrames; ++i) {
      std::string payload = std::to_string(i) + ":";
      payload.resize(kFrameBytes, 'x');
      auto request = (*sender)->request_to(2, std::nullopt, "test.cmd", payload);
      index_[request.uid()] = i;
      auto sent = (*sender)->send(request);
      ASSERT_TRUE(sent.ok()) << sent.status();
    }
    ASSERT_EQ(test::poll_until([&] { return xlen(); }, [](long long n) { return n >= kFrames; }, 30s), kFrames);
  }

  // Index of the next frame `client` receives; -1 once closed or on timeout.
  int next_index(test::WsClient& client, std::chrono::milliseconds timeout = test::WsClient::kDefaultTimeout) {
    auto env = client.receive(timeout);
    if (!env.ok()) return -1;
    auto it = index_.find(env->uid());
    EXPECT_NE(it, index_.end()) << "unexpected frame " << env->uid();
    return it == index_.end() ? -2 : it->second;
  }

  // A slow reader: a small receive buffer, 5 frames read, then nothing until the relay
  // has settled with its send queue full.
  std::unique_ptr<test::WsClient> slow_reader(std::vector<int>& got) {
    auto client = test::WsClient::connect(port_, twins_[1]);
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return nullptr;
    (*client)->limit_receive_buffer(64 * 1024);
    for (int i = 0; i < 5; ++i) got.push_back(next_index(**client));
    settled_xlen(kFrames - 5);
    return std::move(*client);
  }

  static void expect_consecutive(const std::vector<int>& got, int first, int last, const char* what) {
    ASSERT_FALSE(got.empty()) << what;
    EXPECT_EQ(got.front(), first) << what;
    EXPECT_EQ(got.back(), last) << what;
    for (size_t i = 1; i < got.size(); ++i) {
      ASSERT_EQ(got[i], got[i - 1] + 1) << what << ": frame " << i << " out of order or missing";
    }
  }

  std::unique_ptr<test::RedisServer> redis_ = test::RedisServer::start().value();
  std::string dir_;
  std::vector<test::TestTwin> twins_;
  uint16_t port_ = 0;
  std::unique_ptr<test::RelayProcess> relay_;
  std::map<std::string, int> index_;
};

TEST_F(MailboxAckTest, RelayKilledMidDeliveryLosesNothingAndKeepsOrder) {
  start_relay();
  store_frames();
  std::vector<int> first;
  auto reader = slow_reader(first);
  ASSERT_TRUE(reader);

  relay_->process().stop(SIGKILL);
  // What the relay wrote before it died still arrives (then the connection ends).
  for (int i = next_index(*reader); i >= 0; i = next_index(*reader)) first.push_back(i);
  expect_consecutive(first, 0, first.back(), "before the kill");
  std::cerr << "first connection got " << first.size() << " frames\n";

  start_relay();
  const long long left = xlen();
  if (left == 0) {
    // Everything had been written before the kill: the first connection has it all.
    EXPECT_EQ(first.back(), kFrames - 1) << "frames lost: the stream is empty";
    return;
  }
  auto again = test::WsClient::connect(port_, twins_[1]);
  ASSERT_TRUE(again.ok()) << again.status();
  std::vector<int> second;
  for (long long i = 0; i < left; ++i) second.push_back(next_index(**again));
  std::cerr << "second connection got " << second.size() << " frames from " << second.front() << "\n";
  // Everything the first connection did not get, in order, from where it stopped (or
  // earlier: a frame written but not yet deleted comes twice).
  ASSERT_FALSE(second.empty());
  EXPECT_LE(second.front(), first.back() + 1) << "frames lost between the connections";
  expect_consecutive(second, second.front(), kFrames - 1, "after the restart");
  EXPECT_EQ(test::poll_until([&] { return xlen(); }, [](long long n) { return n == 0; }, 20s), 0);
}

TEST_F(MailboxAckTest, TwinDroppingMidDeliveryFindsTheRestInOrder) {
  start_relay();
  store_frames();
  std::vector<int> first;
  auto reader = slow_reader(first);
  ASSERT_TRUE(reader);
  // The twin goes away with frames queued for it in the relay (and unread in its socket:
  // those were written, they are the twin's loss, not the relay's).
  reader.reset();
  const long long left = settled_xlen(kFrames);
  ASSERT_GT(left, 0) << "the relay's queue was empty: nothing tested";

  auto again = test::WsClient::connect(port_, twins_[1]);
  ASSERT_TRUE(again.ok()) << again.status();
  std::vector<int> second;
  for (long long i = 0; i < left; ++i) second.push_back(next_index(**again));
  // What was queued at teardown stayed in the stream in order; nothing went to the tail.
  expect_consecutive(second, second.front(), kFrames - 1, "after reconnecting");
  EXPECT_EQ(test::poll_until([&] { return xlen(); }, [](long long n) { return n == 0; }, 20s), 0);
}

}  // namespace
}  // namespace rmb::relay
