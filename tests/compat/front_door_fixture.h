#pragma once
// The fixture of the Redis front door tests (front_door_*_test.cc): a real redis-server
// (started here on a free port), a fake gateway (tests/support/fake_gateway.h) answering by
// destination twin, the front door between them and an app's connection; and the helpers
// that write requests and read answers.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compat/redis_front_door.h"
#include "compat/shapes.h"
#include "core/util/bytes.h"
#include "tests/compat/redis_client.h"
#include "tests/support/fake_gateway.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::compat {

using test::FakeGateway;
using test::RedisClient;
using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

// The twins the fake gateway answers by (by_twin); any other twin echoes at once.
struct FakeTwin {
  static constexpr uint32_t kSelf = 7;         // loops back to the front door's own fallback sink
  static constexpr uint32_t kUnknown = 99;     // a local 103
  static constexpr uint32_t kRelayError = 98;  // a relay error
  static constexpr uint32_t kHeld = 97;        // answered "held:" + data at release_held()
  static constexpr uint32_t kSilent = 96;      // never answered
};

// So that a Redis caller reaches a Redis worker through the same front door (twin kSelf),
// and each outcome the front door must translate has a twin of its own.
inline FakeGateway::Answer by_twin(const gateway::OutgoingRequest& r, const core::AddressText& d) {
  using Answer = FakeGateway::Answer;
  switch (d.twin) {
    case FakeTwin::kSelf:
      return Answer::loop_back();
    case FakeTwin::kUnknown:
      return Answer::local_error({103, "unknown twin id '" + std::to_string(d.twin) + "'"});
    case FakeTwin::kRelayError:
      return Answer::relay_error({0, "relay says no"}, 1700000001);
    case FakeTwin::kHeld:
      return Answer::hold(Answer::reply(d, "held:" + r.data, r.schema, 1700000005));
    case FakeTwin::kSilent:
      return Answer::silent();
    default:
      return Answer::reply(d, "echo:" + r.data, r.schema, 1700000005);
  }
}

inline std::string b64(std::string_view s) { return core::base64_std(core::as_bytes(s)); }

inline bool eventually(const std::function<bool()>& holds, std::chrono::milliseconds limit = 20s) {
  return test::poll_until(
      holds, [](bool b) { return b; }, limit);
}

inline std::string request_json(const std::string& ref, const std::vector<uint32_t>& dst, const std::string& ret,
                                const std::string& data = "hello", const std::string& cmd = "test.echo",
                                uint64_t exp = 120) {
  RequestJson r;
  r.ref = ref;
  r.cmd = cmd;
  r.exp = exp;
  r.dat = b64(data);
  r.dst = dst;
  r.ret = ret;
  r.shm = "application/json";
  return to_json(r);
}

inline IncomingResponseJson parse_d(const std::optional<std::string>& json) {
  EXPECT_TRUE(json) << "no answer on the ret list";
  if (!json) return {};
  auto d = parse_incoming_response(*json);
  EXPECT_TRUE(d.ok()) << d.status() << " in " << *json;
  return d.ok() ? *d : IncomingResponseJson{};
}

class FrontDoorTest : public ::testing::Test {
 protected:
  void SetUp() override { start_redis({}); }

  void start_redis(test::RedisServerOptions options) {
    door_.reset();
    redis_.reset();
    auto r = test::RedisServer::start(std::move(options));
    ASSERT_TRUE(r.ok()) << r.status();
    redis_ = std::move(*r);
    open_door(redis_->url());
  }

  void open_door(const std::string& url) {
    door_.reset();
    url_ = url;
    auto d = start_redis_front_door({url_}, gateway_, gateway_);
    ASSERT_TRUE(d.ok()) << d.status();
    door_ = std::move(*d);
    app_ = RedisClient::connect(url_);
    ASSERT_NE(app_, nullptr);
  }

  void TearDown() override {
    if (door_) door_->stop();
  }

  FakeGateway gateway_{by_twin};
  std::unique_ptr<test::RedisServer> redis_;
  std::string url_;
  std::unique_ptr<RedisFrontDoor> door_;
  std::unique_ptr<RedisClient> app_;
};

}  // namespace rmb::compat
