#pragma once
// rmb-peer as a process (tests/support/peer_process.h) behind a real rmb-relay: the helpers and
// the one-relay, three-twin fixture the peer_*_test.cc files share, in an anonymous namespace
// as before the split (each test file compiles its own copy).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <regex>
#include <set>
#include <thread>

#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/ss58.h"
#include "core/util/bytes.h"
#include "tests/gateway/tcp_recorder.h"
#include "tests/support/http_client.h"
#include "tests/support/peer_client.h"
#include "tests/support/peer_process.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::test {
namespace {

using grpc::StatusCode;
using namespace std::chrono_literals;

inline std::string seed_secret(const TestTwin& twin) { return "0x" + core::to_hex(twin.seed); }

inline core::PublicKey33 e2e_public(const TestTwin& twin) {
  auto key = core::E2eKey::from_seed(twin.seed);
  if (!key.ok()) std::abort();  // random 32 bytes are a valid scalar but for ~2^-128
  return key->public_key();
}

// A directory entry with the twin's e2e key published (or not).
inline core::Twin entry(const TestTwin& twin, bool with_pk = true) {
  core::Twin t = twin.directory_entry();
  if (with_pk) {
    const auto pk = e2e_public(twin);
    t.pk = core::Bytes(pk.begin(), pk.end());
  }
  return t;
}

inline std::string ws_url(uint16_t port) { return "ws://127.0.0.1:" + std::to_string(port); }

inline std::vector<std::string> peer_args(const TestTwin& twin, const std::vector<uint16_t>& relay_ports,
                                          const std::string& directory) {
  std::vector<std::string> args = {"-k", "ed25519", "-m", seed_secret(twin), "--directory", directory};
  for (uint16_t p : relay_ports) {
    args.push_back("--relay");
    args.push_back(ws_url(p));
  }
  return args;
}

// Waits until `count` relay links of the peer are connected.
inline bool wait_links(apiv1::Gateway::Stub& stub, size_t count, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 2s);
    apiv1::InfoResponse info;
    if (stub.Info(&context, apiv1::InfoRequest(), &info).ok()) {
      size_t up = 0;
      for (const auto& r : info.relays()) up += r.state() == apiv1::RelayLink::CONNECTED ? 1 : 0;
      if (up >= count) return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

inline ServeClient::Handler echo_handler(const std::string& prefix) {
  return [prefix](const apiv1::IncomingRequest& r) {
    apiv1::ServiceReply reply;
    reply.set_data(prefix + r.data());
    return std::optional(reply);
  };
}

inline ServeClient::Handler silent_handler() {
  return [](const apiv1::IncomingRequest&) { return std::optional<apiv1::ServiceReply>(); };
}

// One relay, twins A and B with peers, twin C in the directory without a peer.
class PeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    twins_ = make_twins(3, 1, {"relay1.test"});
    dir_ = make_temp_dir("rmb-peer-test");
    directory_ = dir_ + "/twins.json";
    ASSERT_TRUE(write_directory(directory_, {}, {entry(twins_[0]), entry(twins_[1]), entry(twins_[2])}).ok());
    auto relay = RelayProcess::start(
        {"--directory", directory_, "--domain", "relay1.test", "--max-frame-size", std::to_string(4 << 20)});
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);
    auto a = PeerProcess::start(peer_args(twins_[0], {relay_->port()}, directory_));
    ASSERT_TRUE(a.ok()) << a.status();
    a_ = std::move(*a);
    auto b = PeerProcess::start(peer_args(twins_[1], {relay_->port()}, directory_));
    ASSERT_TRUE(b.ok()) << b.status();
    b_ = std::move(*b);
    stub_a_ = peer_stub(a_->grpc_address());
    stub_b_ = peer_stub(b_->grpc_address());
    ASSERT_TRUE(wait_links(*stub_a_, 1));
    ASSERT_TRUE(wait_links(*stub_b_, 1));
  }

  std::vector<TestTwin> twins_;
  std::string dir_;
  std::string directory_;
  std::unique_ptr<RelayProcess> relay_;
  std::unique_ptr<PeerProcess> a_, b_;
  std::unique_ptr<apiv1::Gateway::Stub> stub_a_, stub_b_;
};

}  // namespace
}  // namespace rmb::test
