#pragma once
// What the tests of the gRPC service (gateway/api) share: the service over a fake
// Outbox/ServiceRegistry (tests/support/fake_gateway.h) on a real loopback port.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/util/clock.h"
#include "gateway/api/gateway_service.h"
#include "gateway/api/grpc_server.h"
#include "tests/support/fake_gateway.h"
#include "tests/support/peer_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::test {
namespace {

using grpc::StatusCode;

// The fake gateway answers by command: "echo" with the data, "unknown" a local 103,
// "remote-error" and "relay-error" those errors, "expire" a local expiry, "refuse" fails
// request(); any other command is never answered by the fake (tests answer those through
// the handlers the fake recorded).
FakeGateway::Answer by_command(const gateway::OutgoingRequest& r, const core::AddressText& d) {
  using Answer = FakeGateway::Answer;
  if (r.command == "echo") return Answer::reply(d, r.data, r.schema, 1700000000);
  if (r.command == "unknown") return Answer::local_error({103, "unknown twin id '" + std::to_string(d.twin) + "'"});
  if (r.command == "remote-error") return Answer::remote_error(d, {0, "calc: division by zero"});
  if (r.command == "relay-error") return Answer::relay_error({0, "destination offline"});
  if (r.command == "expire") return Answer::expire();
  if (r.command == "refuse") return Answer::refuse();
  return Answer::silent();
}

class ApiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<gateway::api::GatewayService>(fake_, fake_, [] {
      apiv1::InfoResponse info;
      info.set_twin(42);
      info.set_version("test");
      return info;
    });
    auto server = gateway::api::GrpcServer::start("127.0.0.1:0", service_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = peer_stub(server_->address());
  }
  void TearDown() override {
    if (server_) server_->shutdown();
  }

  gateway::IncomingRequest incoming(const std::string& command, const std::string& uid, uint64_t ttl = 300) {
    gateway::IncomingRequest r;
    r.uid = uid;
    r.source = core::AddressText{7, std::nullopt};
    r.command = command;
    r.data = "payload of " + uid;
    r.timestamp = core::unix_now();
    r.expiration = ttl;
    return r;
  }

  FakeGateway fake_{by_command};
  std::unique_ptr<gateway::api::GatewayService> service_;
  std::unique_ptr<gateway::api::GrpcServer> server_;
  std::unique_ptr<apiv1::Gateway::Stub> stub_;
};

}  // namespace
}  // namespace rmb::test
