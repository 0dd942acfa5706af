// The gRPC service (gateway/api) over a fake Outbox/ServiceRegistry, on a real
// loopback port: outcome -> status mapping, deadlines, cancellation, Send streams, Serve
// streams (register, replies, limits, hand-over on disconnect), Info, health, reflection.
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

TEST_F(ApiServiceTest, CallReturnsTheReply) {
  auto r = call_twin(*stub_, 9, "echo", "hello");
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.reply.data(), "hello");
  EXPECT_EQ(r.reply.source().twin(), 9u);
  EXPECT_EQ(r.reply.uid(), "uid-1");
  EXPECT_EQ(r.reply.timestamp(), 1700000000u);
}

TEST_F(ApiServiceTest, CallOutcomesMapToStatusesWithRmbErrorDetails) {
  struct Case {
    const char* command;
    StatusCode code;
    uint32_t rmb_code;
    bool has_source;
    uint32_t source_twin;
  };
  for (const Case& c :
       {Case{"unknown", StatusCode::NOT_FOUND, 103, false, 0}, Case{"remote-error", StatusCode::ABORTED, 0, true, 9},
        Case{"relay-error", StatusCode::ABORTED, 0, true, 0},
        Case{"expire", StatusCode::DEADLINE_EXCEEDED, 0, false, 0},
        Case{"refuse", StatusCode::RESOURCE_EXHAUSTED, 0, false, 0}}) {
    SCOPED_TRACE(c.command);
    auto r = call_twin(*stub_, 9, c.command, "x");
    EXPECT_EQ(r.status.error_code(), c.code) << r.status.error_message();
    auto error = rmb_error_of(r.status);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), c.rmb_code);
    EXPECT_FALSE(error->message().empty());
    EXPECT_EQ(error->has_source(), c.has_source);
    if (c.has_source) {
      EXPECT_EQ(error->source().twin(), c.source_twin);
    }
  }
}

TEST_F(ApiServiceTest, CallRejectsEmptyCommandAndTwinZero) {
  EXPECT_EQ(call_twin(*stub_, 9, "", "x").status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call_twin(*stub_, 0, "echo", "x").status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(fake_.sent().empty());
}

TEST_F(ApiServiceTest, DeadlineBecomesTheExpiration) {
  call_twin(*stub_, 9, "echo", "a", std::chrono::seconds(10));
  {
    grpc::ClientContext context;  // no deadline, no ttl: 300
    apiv1::CallRequest request;
    request.mutable_destination()->set_twin(9);
    request.set_command("echo");
    apiv1::Reply reply;
    ASSERT_TRUE(stub_->Call(&context, request, &reply).ok());
  }
  {
    grpc::ClientContext context;  // no deadline, ttl above the cap: 1800
    apiv1::CallRequest request;
    request.mutable_destination()->set_twin(9);
    request.set_command("echo");
    request.set_ttl_seconds(5000);
    apiv1::Reply reply;
    ASSERT_TRUE(stub_->Call(&context, request, &reply).ok());
  }
  {
    grpc::ClientContext context;  // a deadline wins over ttl_seconds
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    apiv1::CallRequest request;
    request.mutable_destination()->set_twin(9);
    request.set_command("echo");
    request.set_ttl_seconds(100);
    apiv1::Reply reply;
    ASSERT_TRUE(stub_->Call(&context, request, &reply).ok());
  }
  auto sent = fake_.sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_GE(sent[0].request.expiration, 9u);
  EXPECT_LE(sent[0].request.expiration, 10u);
  EXPECT_EQ(sent[1].request.expiration, 300u);
  EXPECT_EQ(sent[2].request.expiration, 1800u);
  EXPECT_GE(sent[3].request.expiration, 2u);
  EXPECT_LE(sent[3].request.expiration, 3u);
}

TEST_F(ApiServiceTest, ClientCancellationCancelsTheRequest) {
  grpc::ClientContext context;
  apiv1::CallRequest request;
  request.mutable_destination()->set_twin(9);
  request.set_command("held");
  apiv1::Reply reply;
  std::thread canceller([&] {
    ASSERT_TRUE(fake_.wait_sent(1));
    context.TryCancel();
  });
  auto status = stub_->Call(&context, request, &reply);
  canceller.join();
  EXPECT_EQ(status.error_code(), StatusCode::CANCELLED);
  ASSERT_TRUE(fake_.wait_cancelled(1));
  EXPECT_EQ(fake_.cancelled()[0], fake_.sent()[0].uid);
  // A late outcome after cancellation is harmless.
  auto held = fake_.sent()[0];
  gateway::Outcome late;
  late.uid = held.uid;
  held.on_outcome(late);
  held.on_done();
}

TEST_F(ApiServiceTest, SendStreamsOneResponsePerDestinationInArrivalOrder) {
  grpc::ClientContext context;
  apiv1::SendRequest request;
  for (uint32_t t : {11u, 12u, 13u}) request.add_destinations()->set_twin(t);
  request.set_command("held");
  request.set_data("fan-out");
  auto reader = stub_->Send(&context, request);
  ASSERT_TRUE(fake_.wait_sent(1));
  auto held = fake_.sent()[0];
  ASSERT_EQ(held.request.destinations.size(), 3u);
  EXPECT_EQ(held.request.data, "fan-out");
  // Answer out of order from another thread: 13 replies, 11 unknown, 12 expires.
  std::thread answer([&] {
    gateway::Outcome a;
    a.uid = held.uid;
    a.destination = {13, std::nullopt};
    a.source = a.destination;
    a.data = "from 13";
    held.on_outcome(a);
    gateway::Outcome b;
    b.uid = held.uid;
    b.destination = {11, std::nullopt};
    b.origin = gateway::Outcome::Origin::kLocal;
    b.error = gateway::RmbError{103, "unknown twin id '11'"};
    held.on_outcome(b);
    gateway::Outcome c;
    c.uid = held.uid;
    c.destination = {12, std::nullopt};
    c.origin = gateway::Outcome::Origin::kLocal;
    c.expired = true;
    held.on_outcome(c);
    held.on_done();
  });
  std::vector<apiv1::SendResponse> got;
  apiv1::SendResponse r;
  while (reader->Read(&r)) got.push_back(r);
  answer.join();
  EXPECT_TRUE(reader->Finish().ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].destination().twin(), 13u);
  EXPECT_EQ(got[0].reply().data(), "from 13");
  EXPECT_EQ(got[1].destination().twin(), 11u);
  EXPECT_EQ(got[1].error().code(), 103u);
  EXPECT_EQ(got[2].destination().twin(), 12u);
  EXPECT_TRUE(got[2].has_error());
  for (const auto& g : got) EXPECT_EQ(g.uid(), held.uid);
}

TEST_F(ApiServiceTest, SendWithoutDestinationsIsInvalid) {
  grpc::ClientContext context;
  apiv1::SendRequest request;
  request.set_command("echo");
  auto reader = stub_->Send(&context, request);
  apiv1::SendResponse r;
  EXPECT_FALSE(reader->Read(&r));
  EXPECT_EQ(reader->Finish().error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(ApiServiceTest, ServeFirstMessageMustBeRegister) {
  grpc::ClientContext context;
  auto stream = stub_->Serve(&context);
  apiv1::ServeRequest reply;
  reply.mutable_reply()->set_request_id("1");
  ASSERT_TRUE(stream->Write(reply));
  apiv1::ServeResponse in;
  EXPECT_FALSE(stream->Read(&in));
  auto status = stream->Finish();
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("register"), std::string::npos);
}

TEST_F(ApiServiceTest, ServeDeliversRequestsAndForwardsReplies) {
  auto client = ServeClient::start(server_->address(), {"calc.add"}, [](const apiv1::IncomingRequest& r) {
    apiv1::ServiceReply reply;
    reply.set_data("answer to " + r.data());
    reply.set_schema("text");
    return std::optional(reply);
  });
  ASSERT_TRUE(client);
  ASSERT_TRUE(fake_.wait_sinks("calc.add", 1));
  ASSERT_TRUE(fake_.deliver(incoming("calc.add", "u1")));
  ASSERT_TRUE(fake_.wait_replied(1));
  auto replied = fake_.replied();
  EXPECT_EQ(replied[0].uid, "u1");
  EXPECT_EQ(replied[0].destination.twin, 7u);
  EXPECT_EQ(replied[0].reply.data, "answer to payload of u1");
  EXPECT_EQ(replied[0].reply.schema, std::optional<std::string>("text"));
  EXPECT_FALSE(replied[0].reply.error.has_value());
  EXPECT_TRUE(client->finish().ok());
  EXPECT_TRUE(fake_.wait_sinks("calc.add", 0));
}

TEST_F(ApiServiceTest, ServeErrorRepliesAndUnknownRequestIdsAreIgnored) {
  grpc::ClientContext context;
  auto stream = stub_->Serve(&context);
  apiv1::ServeRequest hello;
  hello.mutable_register_()->add_commands("x.fail");
  ASSERT_TRUE(stream->Write(hello));
  apiv1::ServeResponse in;
  ASSERT_TRUE(stream->Read(&in));
  ASSERT_TRUE(in.has_registered());
  EXPECT_EQ(in.registered().commands(0), "x.fail");
  ASSERT_TRUE(fake_.deliver(incoming("x.fail", "u2")));
  ASSERT_TRUE(stream->Read(&in));
  ASSERT_TRUE(in.has_request());
  EXPECT_EQ(in.request().uid(), "u2");
  EXPECT_EQ(in.request().source().twin(), 7u);
  EXPECT_EQ(in.request().command(), "x.fail");
  apiv1::ServeRequest bogus;
  bogus.mutable_reply()->set_request_id("no-such-id");
  ASSERT_TRUE(stream->Write(bogus));
  apiv1::ServeRequest answer;
  answer.mutable_reply()->set_request_id(in.request().request_id());
  answer.mutable_reply()->mutable_error()->set_code(7);
  answer.mutable_reply()->mutable_error()->set_message("nope");
  ASSERT_TRUE(stream->Write(answer));
  ASSERT_TRUE(fake_.wait_replied(1));
  auto replied = fake_.replied();
  ASSERT_EQ(replied.size(), 1u);
  ASSERT_TRUE(replied[0].reply.error.has_value());
  EXPECT_EQ(replied[0].reply.error->code, 7u);
  EXPECT_EQ(replied[0].reply.error->message, "nope");
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ApiServiceTest, ServeRefusesBeyondMaxInFlight) {
  auto client = ServeClient::start(
      server_->address(), {"slow"}, [](const apiv1::IncomingRequest&) { return std::optional<apiv1::ServiceReply>(); },
      2);
  ASSERT_TRUE(client);
  ASSERT_TRUE(fake_.wait_sinks("slow", 1));
  EXPECT_TRUE(fake_.deliver(incoming("slow", "a")));
  EXPECT_TRUE(fake_.deliver(incoming("slow", "b")));
  EXPECT_FALSE(fake_.deliver(incoming("slow", "c")));
  EXPECT_TRUE(client->wait_received(2, std::chrono::seconds(20)));
}

TEST_F(ApiServiceTest, UnansweredRequestsMoveToAnotherStreamWhenOneGoesAway) {
  auto silent = ServeClient::start(server_->address(), {"job"},
                                   [](const apiv1::IncomingRequest&) { return std::optional<apiv1::ServiceReply>(); });
  ASSERT_TRUE(silent);
  ASSERT_TRUE(fake_.wait_sinks("job", 1));
  ASSERT_TRUE(fake_.deliver(incoming("job", "j1")));
  ASSERT_TRUE(fake_.deliver(incoming("job", "j2")));
  ASSERT_TRUE(silent->wait_received(2, std::chrono::seconds(20)));
  auto worker = ServeClient::start(server_->address(), {"job"}, [](const apiv1::IncomingRequest& r) {
    apiv1::ServiceReply reply;
    reply.set_data("done " + r.uid());
    return std::optional(reply);
  });
  ASSERT_TRUE(worker);
  ASSERT_TRUE(fake_.wait_sinks("job", 2));
  silent->cancel();
  ASSERT_TRUE(fake_.wait_replied(2));
  auto replied = fake_.replied();
  std::set<std::string> answers;
  for (const auto& r : replied) {
    EXPECT_FALSE(r.reply.error.has_value());
    answers.insert(r.reply.data);
  }
  EXPECT_EQ(answers, (std::set<std::string>{"done j1", "done j2"}));
  EXPECT_TRUE(fake_.wait_sinks("job", 1));
}

TEST_F(ApiServiceTest, UnansweredRequestsGetAnErrorWhenNoStreamIsLeft) {
  auto silent = ServeClient::start(server_->address(), {"lonely"},
                                   [](const apiv1::IncomingRequest&) { return std::optional<apiv1::ServiceReply>(); });
  ASSERT_TRUE(silent);
  ASSERT_TRUE(fake_.wait_sinks("lonely", 1));
  ASSERT_TRUE(fake_.deliver(incoming("lonely", "l1")));
  ASSERT_TRUE(silent->wait_received(1, std::chrono::seconds(20)));
  EXPECT_TRUE(silent->finish().ok());  // half-close: the service is done
  ASSERT_TRUE(fake_.wait_replied(1));
  auto replied = fake_.replied();
  EXPECT_EQ(replied[0].uid, "l1");
  ASSERT_TRUE(replied[0].reply.error.has_value());
  EXPECT_EQ(replied[0].reply.error->code, 0u);
  EXPECT_EQ(replied[0].reply.error->message, "service went away");
  EXPECT_FALSE(fake_.deliver(incoming("lonely", "l2")));
}

TEST_F(ApiServiceTest, InfoHealthAndReflection) {
  grpc::ClientContext context;
  apiv1::InfoResponse info;
  ASSERT_TRUE(stub_->Info(&context, apiv1::InfoRequest(), &info).ok());
  EXPECT_EQ(info.twin(), 42u);
  EXPECT_EQ(info.version(), "test");

  auto channel = peer_channel(server_->address());
  auto health = health_check(channel);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, 1);  // SERVING
  auto services = reflection_services(channel);
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(), "rmb.api.v1.Gateway"), services->end());
}

TEST_F(ApiServiceTest, UnixSocketListen) {
  const std::string path = make_temp_dir("rmb-api") + "/peer.sock";
  auto server = gateway::api::GrpcServer::start("unix:" + path, service_.get());
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->address(), "unix:" + path);
  auto stub = peer_stub("unix:" + path);
  auto r = call_twin(*stub, 5, "echo", "over unix");
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.reply.data(), "over unix");
  (*server)->shutdown();
}

TEST(GrpcListen, BadAddressesAreErrors) {
  // Each form validate_listen_address refuses, with the reason its message gives.
  const std::pair<const char*, const char*> bad[] = {
      {"nocolon", "expected host:port"},
      {":7070", "no host"},
      {"127.0.0.1:", "empty port"},
      {"127.0.0.1:99999", "bad port '99999'"},
      {"127.0.0.1:x", "bad port 'x'"},
      {"127.0.0.1:-1", "bad port '-1'"},
      {"::1:7070", "IPv6 address needs [brackets]"},
      {"[::1", "unterminated [IPv6 address]"},
      {"[::1]7070", "unexpected text after ]"},
      {"[not-v6]:7070", "bad IPv6 address 'not-v6'"},
      {"local host:7070", "white space in host"},
      {"host/x:7070", "bad character in host"},
      {"unix:", "names no socket path"},
  };
  for (const auto& [address, reason] : bad) {
    const absl::Status status = gateway::api::validate_listen_address(address);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << address;
    EXPECT_NE(status.message().find(reason), std::string::npos) << address << ": " << status;
    EXPECT_NE(status.message().find(std::string("'") + address + "'"), std::string::npos) << status;
  }
  EXPECT_TRUE(gateway::api::validate_listen_address("[::1]:7070").ok());
  EXPECT_TRUE(gateway::api::validate_listen_address("127.0.0.1:0").ok());
  EXPECT_TRUE(gateway::api::validate_listen_address("localhost:7071").ok());
  EXPECT_TRUE(gateway::api::validate_listen_address("unix:/tmp/x.sock").ok());
}

}  // namespace
}  // namespace rmb::test
