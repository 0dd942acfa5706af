// Issue 11: memory stays bounded under abuse and federation intake is hardened. Each bound
// is flooded past with a real rmb-relay: the refusal is clear (HTTP status, close code,
// error envelope) and other twins' traffic still flows.
#include <string>

#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "core/util/clock.h"
#include "tests/relay/relay_fixture.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::relay {
namespace {

using namespace std::chrono_literals;

// A masked client WebSocket ping with `payload` (at most 125 bytes, RFC 6455 §5.5).
std::string raw_ping(const std::string& payload) {
  std::string frame;
  frame.push_back(static_cast<char>(0x89));
  frame.push_back(static_cast<char>(0x80 | payload.size()));
  const char mask[4] = {0x11, 0x22, 0x33, 0x44};
  frame.append(mask, 4);
  for (size_t i = 0; i < payload.size(); ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return frame;
}

rmb::Envelope federated_to(uint32_t twin, uint32_t from, const std::string& sid = "") {
  rmb::Envelope env;
  env.set_uid(test::random_uid());
  env.set_timestamp(core::unix_now());
  env.set_expiration(300);
  if (from != 0) env.mutable_source()->set_twin(from);
  env.mutable_destination()->set_twin(twin);
  if (!sid.empty()) env.mutable_destination()->set_connection(sid);
  env.mutable_request()->set_command("remote.cmd");
  env.set_plain("from afar");
  return env;
}

using RelayAbuse = RelayTest;

TEST_F(RelayAbuse, FederationIntakeTakesOnlyOurTwinsFromRealSources) {
  start_relay();
  expect_bystanders_served();
  // Relay-made (source twin 0): no relay sends those over federation.
  auto r = test::http_post(port(), "/", federated_to(2, 0).SerializeAsString());
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("without a source twin"), std::string::npos) << r.body;
  // A twin whose relays do not name this relay's domain.
  r = test::http_post(port(), "/", federated_to(kForeignTwin, kForeignTwin).SerializeAsString());
  EXPECT_EQ(r.status, 421u);
  EXPECT_EQ(r.body, "destination twin is not served by this relay");
  r = test::http_post(port(), "/", federated_to(kNoRelayTwin, kForeignTwin).SerializeAsString());
  EXPECT_EQ(r.status, 421u);
  // No such twin.
  r = test::http_post(port(), "/", federated_to(999, kForeignTwin).SerializeAsString());
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, "unknown twin destination");
  // Ours, from a real twin: accepted.
  r = test::http_post(port(), "/", federated_to(2, kForeignTwin).SerializeAsString());
  EXPECT_EQ(r.status, 202u);
  EXPECT_GE(metric("relay_drops_total{reason=\"federation_not_ours\"}"), 2);
  EXPECT_GE(metric("relay_drops_total{reason=\"federation_relay_made\"}"), 1);
  expect_bystanders_served();
}

TEST_F(RelayAbuse, NewConnectionsPerIpAreLimited) {
  start_relay({"--ip-connections-per-second", "1"});  // bursts of 10
  expect_bystanders_served();                         // 2 connections, kept
  unsigned refused = 0;
  std::string body;
  for (int i = 0; i < 40; ++i) {
    auto r = test::http_get(port(), "/healthz");
    if (r.status == 429) {
      ++refused;
      body = r.body;
    }
  }
  EXPECT_GT(refused, 0u);
  EXPECT_EQ(body, "too many new connections from this address");
  expect_bystanders_served();  // connections made before are not affected
}

TEST_F(RelayAbuse, FederationPostsPerIpAreLimited) {
  start_relay({"--ip-posts-per-second", "1"});  // bursts of 10
  expect_bystanders_served();
  unsigned refused = 0, accepted = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = test::http_post(port(), "/", federated_to(2, kForeignTwin).SerializeAsString());
    if (r.status == 503) ++refused;
    if (r.status == 202) ++accepted;
  }
  EXPECT_GT(refused, 0u);
  EXPECT_GT(accepted, 0u);
  EXPECT_GE(metric("relay_drops_total{reason=\"ip_post_limit\"}"), refused);
  expect_bystanders_served();
}

TEST_F(RelayAbuse, PingsPerIpAreLimited) {
  start_relay({"--ip-pings-per-second", "1"});  // bursts of 10
  expect_bystanders_served();
  auto flooder = connect(1);
  ASSERT_TRUE(flooder);
  std::string pings;
  for (int i = 0; i < 40; ++i) pings += raw_ping("p");
  ASSERT_TRUE(flooder->send_raw_bytes(pings).ok());
  auto reason = flooder->wait_closed();
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(flooder->close_code(), 1008);
  EXPECT_EQ(*reason, "too many pings from this address");
  expect_bystanders_served();
}

TEST_F(RelayAbuse, PongsOwedToAClientThatDoesNotReadAreBounded) {
  start_relay({"--max-owed-pongs", "8", "--ip-pings-per-second", "0"});
  expect_bystanders_served();
  auto flooder = connect(1);
  ASSERT_TRUE(flooder);
  flooder->limit_receive_buffer(4096);
  // Pings with the largest payload, never reading a pong: once the socket buffers are
  // full the pongs would pile up in the relay. Sent in chunks until the relay gives up.
  const std::string chunk = [] {
    std::string c;
    for (int i = 0; i < 500; ++i) c += raw_ping(std::string(125, 'p'));
    return c;
  }();
  bool closed = false;
  for (int i = 0; i < 400 && !closed; ++i) {
    if (!flooder->send_raw_bytes(chunk).ok()) break;
    closed = metric("relay_drops_total{reason=\"owed_pongs\"}") >= 1;
  }
  EXPECT_EQ(wait_for_metric("relay_drops_total{reason=\"owed_pongs\"}", [](double v) { return v >= 1; }), 1);
  // Closed. The close frame (1008) is behind the pongs it never read; when the relay cuts
  // the socket with pings of it still unread, the kernel resets the connection instead.
  auto reason = flooder->wait_closed(30000ms);
  ASSERT_TRUE(reason.ok()) << reason.status();
  if (flooder->close_code() != 0) {
    EXPECT_EQ(flooder->close_code(), 1008);
    EXPECT_EQ(*reason, "too many unanswered pings");
  }
  expect_bystanders_served();
}

TEST_F(RelayAbuse, MailboxCountIsBounded) {
  start_relay({"--max-mailboxes", "5"});
  expect_bystanders_served();  // twins 5 and 6 connected: 2 of the 5
  // Every (twin, sid) is a mailbox; POST / could invent them without end.
  unsigned accepted = 0;
  test::HttpResult refused;
  for (int i = 0; i < 6; ++i) {
    auto r = test::http_post(port(), "/", federated_to(2, kForeignTwin, "s" + std::to_string(i)).SerializeAsString());
    if (r.status == 202) {
      ++accepted;
    } else {
      refused = r;
    }
  }
  EXPECT_EQ(accepted, 3u);
  EXPECT_EQ(refused.status, 500u);
  EXPECT_EQ(refused.body, "switch error: too many mailboxes on this relay");
  // The same from a session: an error envelope to the sender.
  auto sender = connect(1);
  ASSERT_TRUE(sender);
  auto request = sender->request_to(3, std::string("x"), "test.cmd", "to a new mailbox");
  ASSERT_TRUE(sender->send(request).ok());
  expect_error(*sender, request.uid(), "failed to route message to peer '3:x': too many mailboxes on this relay");
  // Existing mailboxes still take mail, and connected twins are not affected.
  auto r = test::http_post(port(), "/", federated_to(2, kForeignTwin, "s0").SerializeAsString());
  EXPECT_EQ(r.status, 202u);
  expect_bystanders_served();
}

TEST_F(RelayAbuse, RedisMailboxCountIsBounded) {
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  start_relay({"--redis", (*redis)->url(), "--max-mailboxes", "5"});
  expect_bystanders_served();
  // A frame routed to a session in the moment it connects goes through its stream, which
  // then counts: the bound applies to the keys in Redis.
  auto conn = core::RedisConn::connect(*core::parse_redis_url((*redis)->url()), 2000ms);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto keys = (*conn)->command({"DBSIZE"});
  ASSERT_TRUE(keys.ok());
  const unsigned room = 5 - static_cast<unsigned>((*keys)->integer);
  unsigned accepted = 0;
  test::HttpResult refused;
  for (int i = 0; i < 8; ++i) {
    auto r = test::http_post(port(), "/", federated_to(2, kForeignTwin, "s" + std::to_string(i)).SerializeAsString());
    if (r.status == 202) {
      ++accepted;
    } else {
      refused = r;
    }
  }
  EXPECT_EQ(accepted, room);
  EXPECT_EQ(refused.status, 500u);
  EXPECT_EQ(refused.body, "switch error: too many mailboxes on this relay");
  auto sender = connect(1);
  ASSERT_TRUE(sender);
  auto request = sender->request_to(3, std::string("x"), "test.cmd", "to a new mailbox");
  ASSERT_TRUE(sender->send(request).ok());
  expect_error(*sender, request.uid(), "failed to route message to peer '3:x': too many mailboxes on this relay");
  // Existing streams still take mail, and connected twins are not affected.
  auto r = test::http_post(port(), "/", federated_to(2, kForeignTwin, "s0").SerializeAsString());
  EXPECT_EQ(r.status, 202u);
  auto later = connect(2, "s0");
  ASSERT_TRUE(later);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(later->receive().ok());
  expect_bystanders_served();
}

TEST_F(RelayAbuse, MailboxBytesAreBounded) {
  start_relay({"--mailbox-bytes", "100000"});
  expect_bystanders_served();
  auto sender = connect(1);
  ASSERT_TRUE(sender);
  const std::string big(30000, 'b');
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sender->send(sender->request_to(3, std::nullopt, "test.cmd", big)).ok());
  auto over = sender->request_to(3, std::nullopt, "test.cmd", big);
  ASSERT_TRUE(sender->send(over).ok());
  expect_error(*sender, over.uid(), "failed to route message to peer '3': mailbox memory of this relay is full");
  expect_bystanders_served();
  // Delivered mail frees its bytes.
  auto receiver = connect(3);
  ASSERT_TRUE(receiver);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(receiver->receive().ok());
  receiver.reset();
  EXPECT_EQ(wait_for_metric("relay_mailbox_depth", [](double v) { return v == 0; }), 0);
  auto after = sender->request_to(3, std::nullopt, "test.cmd", big);
  ASSERT_TRUE(sender->send(after).ok());
  sync(*sender);  // routed; an error would have come back first
}

TEST_F(RelayAbuse, RedisStoreQueueBytesAreBounded) {
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  start_relay({"--redis", (*redis)->url(), "--redis-store-queue-bytes", "2000"});
  expect_bystanders_served();
  auto sender = connect(1);
  ASSERT_TRUE(sender);
  auto over = sender->request_to(3, std::nullopt, "test.cmd", std::string(3000, 'r'));
  ASSERT_TRUE(sender->send(over).ok());
  expect_error(*sender, over.uid(), "failed to route message to peer '3': redis store queue is full");
  // Small mail still goes in.
  ASSERT_TRUE(sender->send(sender->request_to(3, std::nullopt, "test.cmd", "small")).ok());
  auto receiver = connect(3);
  ASSERT_TRUE(receiver);
  auto got = receiver->receive();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->plain(), "small");
  expect_bystanders_served();
}

TEST_F(RelayAbuse, FederationQueueBytesAreBounded) {
  // Twin 60's relay (other.example) never answers: what is sent to it stays queued.
  start_relay({"--federation-scheme", "http", "--federation-queue-bytes", "2000"});
  expect_bystanders_served();
  auto sender = connect(1);
  ASSERT_TRUE(sender);
  auto over = sender->request_to(kForeignTwin, std::nullopt, "test.cmd", std::string(3000, 'f'));
  ASSERT_TRUE(sender->send(over).ok());
  auto env = sender->receive();
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->uid(), over.uid());
  ASSERT_TRUE(env->has_error());
  EXPECT_EQ(env->error().message(), "federation queue is full");
  expect_bystanders_served();
}

TEST_F(RelayAbuse, RedisFederationQueueBytesAreBounded) {
  auto redis = test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  start_relay({"--federation-scheme", "http", "--redis", (*redis)->url(), "--federation-queue-bytes", "2000"});
  expect_bystanders_served();
  auto sender = connect(1);
  ASSERT_TRUE(sender);
  auto over = sender->request_to(kForeignTwin, std::nullopt, "test.cmd", std::string(3000, 'f'));
  ASSERT_TRUE(sender->send(over).ok());
  auto env = sender->receive();
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->uid(), over.uid());
  ASSERT_TRUE(env->has_error());
  EXPECT_EQ(env->error().message(), "federation queue is full");
  expect_bystanders_served();
}

}  // namespace
}  // namespace rmb::relay
