// The gRPC service's Serve streams (register, replies, limits, hand-over on disconnect),
// Info, health, reflection, and its listen addresses.
#include "tests/gateway/api/api_fixture.h"

namespace rmb::test {
namespace {

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
