// The gRPC service's Call and Send: outcome -> status mapping, deadlines, cancellation,
// Send streams.
#include "tests/gateway/api/api_fixture.h"

namespace rmb::test {
namespace {

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

}  // namespace
}  // namespace rmb::test
