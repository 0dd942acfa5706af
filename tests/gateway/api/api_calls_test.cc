// The gRPC service's Calls stream: many calls on one stream, each answered with its id;
// outcomes mapped as Call maps them; half-close, cancellation, repeated ids.
#include <map>

#include "tests/gateway/api/api_fixture.h"

namespace rmb::test {
namespace {

apiv1::StreamedCall streamed(uint64_t id, uint32_t twin, const std::string& command, const std::string& data,
                             uint32_t ttl = 0) {
  apiv1::StreamedCall call;
  call.set_id(id);
  call.mutable_call()->mutable_destination()->set_twin(twin);
  call.mutable_call()->set_command(command);
  call.mutable_call()->set_data(data);
  call.mutable_call()->set_ttl_seconds(ttl);
  return call;
}

// Reads every answer until the server ends the stream.
std::map<uint64_t, apiv1::StreamedReply> read_all(
    grpc::ClientReaderWriter<apiv1::StreamedCall, apiv1::StreamedReply>& s) {
  std::map<uint64_t, apiv1::StreamedReply> out;
  apiv1::StreamedReply reply;
  while (s.Read(&reply)) {
    EXPECT_FALSE(out.count(reply.id())) << "two answers for call " << reply.id();
    out[reply.id()] = reply;
  }
  return out;
}

// Answers a call the fake held (command "held"), as twin 9 would, with `data`.
void answer_held(const FakeGateway::Sent& held, const std::string& data) {
  gateway::Outcome outcome;
  outcome.uid = held.uid;
  outcome.origin = gateway::Outcome::Origin::kRemote;
  outcome.source = core::AddressText{9, std::nullopt};
  outcome.data = data;
  held.on_outcome(outcome);
  held.on_done();
}

TEST_F(ApiServiceTest, CallsOnOneStreamAreEachAnsweredWithTheirIdAndCallsStatusCodes) {
  grpc::ClientContext context;
  auto stream = stub_->Calls(&context);
  ASSERT_TRUE(stream->Write(streamed(1, 9, "echo", "one", 7)));
  ASSERT_TRUE(stream->Write(streamed(2, 9, "unknown", "x")));
  ASSERT_TRUE(stream->Write(streamed(3, 9, "remote-error", "x")));
  ASSERT_TRUE(stream->Write(streamed(4, 9, "expire", "x")));
  ASSERT_TRUE(stream->Write(streamed(5, 9, "refuse", "x")));
  ASSERT_TRUE(stream->Write(streamed(6, 9, "", "x")));
  ASSERT_TRUE(stream->Write(streamed(7, 0, "echo", "x")));
  ASSERT_TRUE(stream->Write(streamed(8, 10, "echo", "eight")));
  ASSERT_TRUE(stream->WritesDone());
  auto answers = read_all(*stream);
  EXPECT_TRUE(stream->Finish().ok());

  ASSERT_EQ(answers.size(), 8u);
  EXPECT_EQ(answers[1].reply().data(), "one");
  EXPECT_EQ(answers[1].reply().source().twin(), 9u);
  EXPECT_EQ(answers[1].status_code(), 0);
  EXPECT_EQ(answers[8].reply().data(), "eight");
  EXPECT_EQ(answers[8].reply().source().twin(), 10u);
  struct Case {
    uint64_t id;
    StatusCode code;
    uint32_t rmb_code;
  };
  for (const Case& c : {Case{2, StatusCode::NOT_FOUND, 103}, Case{3, StatusCode::ABORTED, 0},
                        Case{4, StatusCode::DEADLINE_EXCEEDED, 0}, Case{5, StatusCode::RESOURCE_EXHAUSTED, 0},
                        Case{6, StatusCode::INVALID_ARGUMENT, 0}, Case{7, StatusCode::INVALID_ARGUMENT, 0}}) {
    SCOPED_TRACE(c.id);
    ASSERT_TRUE(answers[c.id].has_error());
    EXPECT_EQ(answers[c.id].status_code(), c.code);
    EXPECT_EQ(answers[c.id].error().code(), c.rmb_code);
    EXPECT_FALSE(answers[c.id].error().message().empty());
  }
  EXPECT_EQ(answers[3].error().source().twin(), 9u);
  // Sent: the echoes, unknown, remote-error and expire; refused and invalid calls are not.
  auto sent = fake_.sent();
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[0].request.expiration, 7u);    // ttl_seconds, with no stream deadline
  EXPECT_EQ(sent[1].request.expiration, 300u);  // the default
}

TEST_F(ApiServiceTest, AHalfClosedCallsStreamEndsOnceItsLastCallIsAnswered) {
  grpc::ClientContext context;
  auto stream = stub_->Calls(&context);
  ASSERT_TRUE(stream->Write(streamed(1, 9, "held", "a")));
  ASSERT_TRUE(stream->Write(streamed(2, 9, "echo", "b")));
  ASSERT_TRUE(stream->WritesDone());
  apiv1::StreamedReply first;
  ASSERT_TRUE(stream->Read(&first));
  EXPECT_EQ(first.id(), 2u);
  ASSERT_TRUE(fake_.wait_sent(2));
  std::thread answerer([&] { answer_held(fake_.sent()[0], "late"); });
  apiv1::StreamedReply second;
  ASSERT_TRUE(stream->Read(&second));
  answerer.join();
  EXPECT_EQ(second.id(), 1u);
  EXPECT_EQ(second.reply().data(), "late");
  EXPECT_FALSE(stream->Read(&second));
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_TRUE(fake_.cancelled().empty());
}

TEST_F(ApiServiceTest, CancellingACallsStreamCancelsItsCallsInFlight) {
  grpc::ClientContext context;
  auto stream = stub_->Calls(&context);
  ASSERT_TRUE(stream->Write(streamed(1, 9, "held", "a")));
  ASSERT_TRUE(stream->Write(streamed(2, 9, "held", "b")));
  ASSERT_TRUE(fake_.wait_sent(2));
  context.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), StatusCode::CANCELLED);
  ASSERT_TRUE(fake_.wait_cancelled(2));
  const auto uids = fake_.cancelled();
  const std::set<std::string> cancelled(uids.begin(), uids.end());
  EXPECT_EQ(cancelled, (std::set<std::string>{fake_.sent()[0].uid, fake_.sent()[1].uid}));
  // Late outcomes after cancellation are harmless.
  for (const auto& held : fake_.sent()) {
    gateway::Outcome late;
    late.uid = held.uid;
    held.on_outcome(late);
    held.on_done();
  }
}

TEST_F(ApiServiceTest, ACallIdAlreadyInFlightOnTheStreamIsRefused) {
  grpc::ClientContext context;
  auto stream = stub_->Calls(&context);
  ASSERT_TRUE(stream->Write(streamed(5, 9, "held", "a")));
  ASSERT_TRUE(stream->Write(streamed(5, 9, "echo", "b")));
  apiv1::StreamedReply refused;
  ASSERT_TRUE(stream->Read(&refused));
  EXPECT_EQ(refused.id(), 5u);
  EXPECT_EQ(refused.status_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error().message(), "call id 5 is in flight already");
  EXPECT_EQ(fake_.sent().size(), 1u);
  // Once answered, the id may be used again.
  ASSERT_TRUE(fake_.wait_sent(1));
  answer_held(fake_.sent()[0], "a");
  apiv1::StreamedReply answered;
  ASSERT_TRUE(stream->Read(&answered));
  EXPECT_EQ(answered.reply().data(), "a");
  ASSERT_TRUE(stream->Write(streamed(5, 9, "echo", "again")));
  ASSERT_TRUE(stream->WritesDone());
  auto rest = read_all(*stream);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[5].reply().data(), "again");
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace rmb::test
