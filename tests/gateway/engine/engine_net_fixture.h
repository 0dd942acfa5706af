#pragma once
// The network every engine test starts (tests/gateway/engine/engine_fixture.h): seven twins of
// both key types behind one real rmb-relay, and what the tests of engine_*_test.cc share.
#include <sodium.h>

#include "core/protocol/e2e/cipher.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/envelope/signing.h"
#include "core/util/clock.h"
#include "gateway/engine/relay_error_kind.h"
#include "tests/gateway/engine/engine_fixture.h"
#include "tests/support/poll.h"
#include "tests/support/redis_server.h"

namespace rmb::gateway::test {

using core::KeyType;

// Twins of every test network.
constexpr uint32_t kEdA = 1, kEdB = 2;       // ed25519, pk published
constexpr uint32_t kSrC = 3, kSrD = 4;       // sr25519, no pk
constexpr uint32_t kWsPk = 5, kWsPlain = 6;  // ed25519 WebSocket clients, with / without pk
constexpr uint32_t kOffline = 7;             // in the directory, never connected

class EngineNetTest : public EngineTest {
 protected:
  void SetUp() override {
    start_network({make_net_twin(kEdA, KeyType::kEd25519, true), make_net_twin(kEdB, KeyType::kEd25519, true),
                   make_net_twin(kSrC, KeyType::kSr25519, false), make_net_twin(kSrD, KeyType::kSr25519, false),
                   make_net_twin(kWsPk, KeyType::kEd25519, true), make_net_twin(kWsPlain, KeyType::kEd25519, false),
                   make_net_twin(kOffline, KeyType::kEd25519, true)});
  }

  std::shared_ptr<RecordingSink> serve(Node& node, const std::string& command, bool echo = true) {
    auto sink = std::make_shared<RecordingSink>(node.engine.get(), echo);
    node.engine->add_service(command, sink);
    return sink;
  }

  // Decrypts a cipher payload that twin `from` sent to the WebSocket twin `to`.
  std::string decrypt_for(uint32_t to, uint32_t from, const std::string& cipher) {
    auto key = core::E2eKey::from_seed(twin(to).seed);
    const core::Bytes pk = twin(from).entry().pk.value_or(core::Bytes{});
    if (!key.ok() || pk.empty()) {
      ADD_FAILURE() << "twin " << to << " has no e2e key or twin " << from << " no pk";
      return {};
    }
    auto shared = key->shared_key(pk);
    if (!shared.ok()) {
      ADD_FAILURE() << shared.status();
      return {};
    }
    auto plain = core::e2e_decrypt(*shared, core::as_bytes(cipher));
    EXPECT_TRUE(plain.ok()) << plain.status();
    return plain.ok() ? std::string(core::as_chars(*plain)) : std::string();
  }

  // A signed request from WebSocket twin `from` to twin `to`, plain payload.
  rmb::Envelope signed_request(rmb::test::WsClient& from, uint32_t to, const std::string& command,
                               const std::string& payload) {
    rmb::Envelope env = from.request_to(to, std::nullopt, command, payload);
    auto signer = core::make_signer(KeyType::kEd25519, twin(from.twin()).seed);
    EXPECT_TRUE(signer.ok());
    core::sign_envelope(env, **signer);
    return env;
  }
};

inline void expect_response(const Outcome& o, uint32_t from, const std::string& data) {
  EXPECT_EQ(o.origin, Outcome::Origin::kRemote);
  EXPECT_EQ(o.source.twin, from);
  EXPECT_EQ(o.destination.twin, from);
  EXPECT_FALSE(o.error.has_value()) << o.error->code << " " << o.error->message;
  EXPECT_FALSE(o.expired);
  EXPECT_EQ(o.data, data);
}

}  // namespace rmb::gateway::test
