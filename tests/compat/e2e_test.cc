// The Redis front door with the real gateway: two in-process rmb-peers (Engine + relay
// links + front door, inproc_peer.h) on a real rmb-relay, each on its own database of one
// real redis-server. Redis caller -> relay -> Redis worker and back, signed and encrypted;
// fan-out with an unknown twin; and across front doors: a Redis caller answered by a
// service registered in the gateway (what a gRPC Serve stream registers), a gateway call
// (what a gRPC Call makes) answered by a Redis worker.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "compat/shapes.h"
#include "core/util/bytes.h"
#include "tests/compat/inproc_peer.h"
#include "tests/compat/redis_client.h"
#include "tests/support/redis_server.h"

namespace rmb::compat {
namespace {

using test::InprocPeer;
using test::RedisClient;
using namespace std::chrono_literals;

std::string b64(std::string_view s) { return core::base64_std(core::as_bytes(s)); }

std::string request_json(const std::string& ref, const std::vector<uint32_t>& dst, const std::string& ret,
                         const std::string& data, const std::string& cmd) {
  RequestJson r;
  r.ref = ref;
  r.cmd = cmd;
  r.exp = 60;
  r.dat = b64(data);
  r.dst = dst;
  r.ret = ret;
  r.shm = "application/json";
  return to_json(r);
}

// A Redis worker: answers `count` requests of `cmd` with "<data>!" (the way rmb apps do).
void serve(const std::string& url, const std::string& cmd, int count) {
  auto w = RedisClient::connect(url);
  for (int i = 0; i < count; ++i) {
    auto in = w->brpop("msgbus." + cmd);
    ASSERT_TRUE(in);
    auto b = parse_incoming_request(*in);
    ASSERT_TRUE(b.ok()) << b.status();
    auto data = core::from_base64_std(b->dat);
    ASSERT_TRUE(data.ok());
    ResponseJson c;
    c.ref = b->ref;
    c.dat = b64(std::string(core::as_chars(*data)) + "!");
    c.dst = b->src;
    c.shm = b->shm;
    w->lpush("msgbus.system.reply", to_json(c));
  }
}

class CompatE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = test::RedisServer::start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    twins_ = {test::make_net_twin(1), test::make_net_twin(2)};
    // The relay's mail in a Redis of its own: the tests here kill the peers' Redis.
    auto relay_redis = test::RedisServer::start();
    ASSERT_TRUE(relay_redis.ok()) << relay_redis.status();
    relay_redis_ = std::move(*relay_redis);
    auto net = test::Network::start(twins_, relay_redis_->url());
    ASSERT_TRUE(net.ok()) << net.status();
    net_ = std::move(*net);
    for (int i = 0; i < 2; ++i) {
      auto p = InprocPeer::start(twins_[i], *net_, db_url(i + 1));
      ASSERT_TRUE(p.ok()) << p.status();
      peers_.push_back(std::move(*p));
    }
  }
  void TearDown() override {
    peers_.clear();
    if (net_ && net_->relay) net_->relay->terminate();
  }
  std::string db_url(int db) const { return absl::StrCat(redis_->url(), "/", db); }

  std::unique_ptr<test::RedisServer> redis_;
  std::unique_ptr<test::RedisServer> relay_redis_;
  std::vector<test::NetTwin> twins_;
  std::unique_ptr<test::Network> net_;
  std::vector<std::unique_ptr<InprocPeer>> peers_;
};

TEST_F(CompatE2E, RedisCallerToRedisWorker) {
  std::thread worker(serve, db_url(2), "e2e.echo", 1);
  auto caller = RedisClient::connect(db_url(1));
  caller->lpush("msgbus.system.local", request_json("r1", {2}, "ret-1", "ping", "e2e.echo"));
  auto d = parse_incoming_response(caller->brpop("ret-1").value_or(""));
  worker.join();
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->ref, "r1");
  EXPECT_EQ(d->src, "2");
  EXPECT_EQ(d->dat, b64("ping!"));
  EXPECT_EQ(d->shm, "application/json");
  EXPECT_FALSE(d->err);
  EXPECT_GT(d->now, 0u);
}

TEST_F(CompatE2E, FanOutWithOneUnknownDestination) {
  std::thread worker(serve, db_url(2), "e2e.echo", 1);
  auto caller = RedisClient::connect(db_url(1));
  caller->lpush("msgbus.system.local", request_json("fan", {2, 4040}, "ret-fan", "x", "e2e.echo"));
  std::map<std::string, IncomingResponseJson> by_src;
  for (int i = 0; i < 2; ++i) {
    auto d = parse_incoming_response(caller->brpop("ret-fan").value_or(""));
    ASSERT_TRUE(d.ok()) << d.status();
    by_src[d->src] = *d;
  }
  worker.join();
  ASSERT_EQ(by_src.count("2"), 1u);
  EXPECT_EQ(by_src["2"].dat, b64("x!"));
  ASSERT_EQ(by_src.count(""), 1u);
  ASSERT_TRUE(by_src[""].err);
  EXPECT_EQ(by_src[""].err->code, 103u) << by_src[""].err->message;
  EXPECT_EQ(by_src[""].now, 0u);
  EXPECT_EQ(by_src[""].ref, "fan");
}

// Registered like the gRPC Serve stream registers its services.
class UpperService : public gateway::RequestSink {
 public:
  explicit UpperService(gateway::Outbox& outbox) : outbox_(outbox) {}
  bool offer(const gateway::IncomingRequest& r) override {
    gateway::ServiceReply reply;
    reply.data = "served:" + r.data;
    outbox_.reply(r.uid, r.source, std::move(reply));
    return true;
  }

 private:
  gateway::Outbox& outbox_;
};

TEST_F(CompatE2E, RedisCallerAnsweredByAGatewayService) {
  auto service = std::make_shared<UpperService>(peers_[1]->engine());
  peers_[1]->engine().add_service("grpc.svc", service);
  auto caller = RedisClient::connect(db_url(1));
  caller->lpush("msgbus.system.local", request_json("x1", {2}, "ret-x", "hi", "grpc.svc"));
  auto d = parse_incoming_response(caller->brpop("ret-x").value_or(""));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->dat, b64("served:hi"));
  // Nothing went to the Redis queue of that command.
  auto db2 = RedisClient::connect(db_url(2));
  EXPECT_EQ(db2->integer({"LLEN", "msgbus.grpc.svc"}), 0);
  peers_[1]->engine().remove_service("grpc.svc", service.get());
}

// Holds every request it is offered until release(): the replies then travel back through
// the relay while Redis is down.
class HeldService : public gateway::RequestSink {
 public:
  explicit HeldService(gateway::Outbox& outbox) : outbox_(outbox) {}
  bool offer(const gateway::IncomingRequest& r) override {
    std::lock_guard lock(mu_);
    held_.push_back(r);
    cv_.notify_all();
    return true;
  }
  bool wait_held(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 30s, [&] { return held_.size() >= n; });
  }
  void release() {
    std::vector<gateway::IncomingRequest> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (const auto& r : held) {
      gateway::ServiceReply reply;
      reply.data = "held:" + r.data;
      outbox_.reply(r.uid, r.source, std::move(reply));
    }
  }

 private:
  gateway::Outbox& outbox_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<gateway::IncomingRequest> held_;
};

// Every request the front door popped before Redis died is answered once Redis is back:
// the answers reach gateway 1 through the relay during the outage and wait for Redis there.
TEST_F(CompatE2E, RedisKilledAndRestartedUnderLoadEveryPoppedRequestIsAnswered) {
  constexpr int kN = 100;
  auto service = std::make_shared<HeldService>(peers_[1]->engine());
  peers_[1]->engine().add_service("held.svc", service);
  auto caller = RedisClient::connect(db_url(1));
  for (int i = 0; i < kN; ++i) {
    caller->lpush("msgbus.system.local",
                  request_json(absl::StrCat("h", i), {2}, "ret-held", absl::StrCat(i), "held.svc"));
  }
  ASSERT_TRUE(service->wait_held(kN));  // all popped, signed, relayed and delivered
  redis_->kill();
  service->release();
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(redis_->restart().ok());
  caller = RedisClient::connect(db_url(1));
  ASSERT_NE(caller, nullptr);
  std::set<std::string> refs;
  for (int i = 0; i < kN; ++i) {
    auto d = parse_incoming_response(caller->brpop("ret-held").value_or(""));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_FALSE(d->err);
    EXPECT_EQ(d->src, "2");
    auto data = core::from_base64_std(d->dat);
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(std::string(core::as_chars(*data)), absl::StrCat("held:", d->ref.value_or("?").substr(1)));
    refs.insert(d->ref.value_or("?"));
  }
  EXPECT_EQ(refs.size(), static_cast<size_t>(kN));
  // And the front door pops again after the outage.
  std::thread worker(serve, db_url(2), "e2e.after", 1);
  caller->lpush("msgbus.system.local", request_json("after", {2}, "ret-after", "again", "e2e.after"));
  auto d = parse_incoming_response(caller->brpop("ret-after").value_or(""));
  worker.join();
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->dat, b64("again!"));
  peers_[1]->engine().remove_service("held.svc", service.get());
}

TEST_F(CompatE2E, GatewayCallAnsweredByARedisWorker) {
  std::thread worker(serve, db_url(2), "redis.worker", 1);
  struct Result {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<gateway::Outcome> outcomes;
    bool done = false;
  };
  auto result = std::make_shared<Result>();
  gateway::OutgoingRequest req;
  req.destinations = {core::AddressText{2, std::nullopt}};
  req.command = "redis.worker";
  req.data = "from grpc";
  req.expiration = 60;
  auto uid = peers_[0]->engine().request(
      std::move(req),
      [result](gateway::Outcome o) {
        std::lock_guard lock(result->mu);
        result->outcomes.push_back(std::move(o));
      },
      [result] {
        std::lock_guard lock(result->mu);
        result->done = true;
        result->cv.notify_all();
      });
  ASSERT_TRUE(uid.ok()) << uid.status();
  {
    std::unique_lock lock(result->mu);
    ASSERT_TRUE(result->cv.wait_for(lock, 30s, [&] { return result->done; }));
    ASSERT_EQ(result->outcomes.size(), 1u);
    EXPECT_FALSE(result->outcomes[0].error);
    EXPECT_EQ(result->outcomes[0].data, "from grpc!");
    EXPECT_EQ(result->outcomes[0].source.twin, 2u);
  }
  worker.join();
}

TEST_F(CompatE2E, ManyConcurrentCallers) {
  constexpr int kCalls = 64;
  std::thread worker(serve, db_url(2), "e2e.many", kCalls);
  auto caller = RedisClient::connect(db_url(1));
  for (int i = 0; i < kCalls; ++i) {
    caller->lpush("msgbus.system.local",
                  request_json(absl::StrCat(i), {2}, "ret-many", absl::StrCat("m", i), "e2e.many"));
  }
  std::set<std::string> refs;
  for (int i = 0; i < kCalls; ++i) {
    auto d = parse_incoming_response(caller->brpop("ret-many").value_or(""));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->dat, b64(absl::StrCat("m", *d->ref, "!")));
    refs.insert(*d->ref);
  }
  EXPECT_EQ(refs.size(), static_cast<size_t>(kCalls));
  worker.join();
}

// The Python app of python_client_test (Debian's python3-redis) against the real gateway:
// twin 1's queues, its own command served by itself through the relay, a fan-out to twin 2
// (a Redis worker) and an unknown twin.
TEST_F(CompatE2E, PythonClientAgainstTheRealGateway) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  const char* src = std::getenv("RMB_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "RMB_SOURCE_DIR not set";
  std::thread worker(serve, db_url(2), "remote.echo", 1);
  auto py = test::ChildProcess::spawn(
      {"/usr/bin/python3", std::string(src) + "/tests/compat/python_client.py", db_url(1), "1", "4040", "2"});
  ASSERT_TRUE(py.ok()) << py.status();
  auto code = (*py)->stop(0, std::chrono::seconds(90));  // signal 0: just wait
  worker.join();
  EXPECT_EQ(code, 0) << "the Python client reported failures (see its output above)";
}

}  // namespace
}  // namespace rmb::compat
