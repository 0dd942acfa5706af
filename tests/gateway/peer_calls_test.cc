// rmb-peer end to end over its gRPC API: calls, sends, serve streams, errors, payload size, Info, health, encryption
// the relay cannot read, unix sockets, metrics.
#include <map>

#include "tests/gateway/peer_fixture.h"

namespace rmb::test {
namespace {

TEST_F(PeerTest, ReadyLineNamesTheTwin) {
  EXPECT_EQ(a_->twin(), twins_[0].id);
  EXPECT_EQ(b_->twin(), twins_[1].id);
}

TEST_F(PeerTest, CallRoundTripThroughAServeStream) {
  auto service = ServeClient::start(b_->grpc_address(), {"test.echo"}, echo_handler("echo: "));
  ASSERT_TRUE(service);
  auto r = call_twin(*stub_a_, twins_[1].id, "test.echo", "hello");
  ASSERT_TRUE(r.status.ok()) << r.status.error_code() << " " << r.status.error_message();
  EXPECT_EQ(r.reply.data(), "echo: hello");
  EXPECT_EQ(r.reply.source().twin(), twins_[1].id);
  EXPECT_FALSE(r.reply.uid().empty());
  EXPECT_GT(r.reply.timestamp(), 0u);
}

TEST_F(PeerTest, ManyCallsOnOneCallsStream) {
  auto service = ServeClient::start(b_->grpc_address(), {"test.echo"}, echo_handler("echo: "));
  ASSERT_TRUE(service);
  grpc::ClientContext context;
  auto stream = stub_a_->Calls(&context);
  constexpr uint64_t kCalls = 50;
  for (uint64_t id = 1; id <= kCalls; ++id) {
    apiv1::StreamedCall call;
    call.set_id(id);
    call.mutable_call()->mutable_destination()->set_twin(twins_[1].id);
    call.mutable_call()->set_command("test.echo");
    call.mutable_call()->set_data("call " + std::to_string(id));
    ASSERT_TRUE(stream->Write(call));
  }
  apiv1::StreamedCall unknown;
  unknown.set_id(kCalls + 1);
  unknown.mutable_call()->mutable_destination()->set_twin(999);
  unknown.mutable_call()->set_command("test.echo");
  ASSERT_TRUE(stream->Write(unknown));
  ASSERT_TRUE(stream->WritesDone());
  std::map<uint64_t, apiv1::StreamedReply> answers;
  apiv1::StreamedReply reply;
  while (stream->Read(&reply)) {
    EXPECT_FALSE(answers.count(reply.id())) << "two answers for call " << reply.id();
    answers[reply.id()] = reply;
  }
  EXPECT_TRUE(stream->Finish().ok());
  ASSERT_EQ(answers.size(), kCalls + 1);
  for (uint64_t id = 1; id <= kCalls; ++id) {
    EXPECT_EQ(answers[id].reply().data(), "echo: call " + std::to_string(id));
    EXPECT_EQ(answers[id].reply().source().twin(), twins_[1].id);
  }
  EXPECT_EQ(answers[kCalls + 1].status_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(answers[kCalls + 1].error().code(), 103u);
}

TEST_F(PeerTest, ServiceErrorComesBackAsAborted) {
  auto service = ServeClient::start(b_->grpc_address(), {"test.fail"}, [](const apiv1::IncomingRequest&) {
    apiv1::ServiceReply reply;
    reply.mutable_error()->set_code(42);
    reply.mutable_error()->set_message("bad input");
    return std::optional(reply);
  });
  ASSERT_TRUE(service);
  auto r = call_twin(*stub_a_, twins_[1].id, "test.fail", "x");
  EXPECT_EQ(r.status.error_code(), StatusCode::ABORTED) << r.status.error_message();
  auto error = rmb_error_of(r.status);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), 42u);
  EXPECT_EQ(error->message(), "bad input");
  EXPECT_EQ(error->source().twin(), twins_[1].id);
}

TEST_F(PeerTest, CallToAnUnknownTwinIsNotFound) {
  auto r = call_twin(*stub_a_, 999, "test.echo", "x");
  EXPECT_EQ(r.status.error_code(), StatusCode::NOT_FOUND) << r.status.error_message();
  auto error = rmb_error_of(r.status);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), 103u);
}

TEST_F(PeerTest, SendToThreeTwins) {
  auto service = ServeClient::start(b_->grpc_address(), {"test.echo"}, echo_handler("from b: "));
  ASSERT_TRUE(service);
  apiv1::SendRequest request;
  for (uint32_t t : {twins_[1].id, 999u, twins_[2].id}) request.add_destinations()->set_twin(t);
  request.set_command("test.echo");
  request.set_data("fan");
  // Timestamps are whole seconds, so B's gateway and the relay see N s as between N-1 and
  // N s: 5 leaves the answered round trip through the relay at least 4 s on a loaded
  // machine (3 left it as little as 2 s).
  request.set_ttl_seconds(5);
  // With a deadline the deadline sets the expiration; this test wants ttl_seconds.
  grpc::ClientContext no_deadline;
  auto reader = stub_a_->Send(&no_deadline, request);
  std::map<uint32_t, apiv1::SendResponse> got;
  apiv1::SendResponse r;
  std::string uid;
  while (reader->Read(&r)) {
    got[r.destination().twin()] = r;
    if (uid.empty()) uid = r.uid();
    EXPECT_EQ(r.uid(), uid);
  }
  EXPECT_TRUE(reader->Finish().ok());
  ASSERT_EQ(got.size(), 3u);
  ASSERT_TRUE(got[twins_[1].id].has_reply());
  EXPECT_EQ(got[twins_[1].id].reply().data(), "from b: fan");
  ASSERT_TRUE(got[999].has_error());
  EXPECT_EQ(got[999].error().code(), 103u);
  ASSERT_TRUE(got[twins_[2].id].has_error());  // offline: expired
  EXPECT_NE(got[twins_[2].id].error().code(), 103u);
}

TEST_F(PeerTest, TwoServeStreamsShareTheLoad) {
  std::atomic<int> first{0}, second{0};
  auto slow = [](std::atomic<int>& counter, std::string name) {
    return [&counter, name](const apiv1::IncomingRequest& r) {
      ++counter;
      std::this_thread::sleep_for(100ms);
      apiv1::ServiceReply reply;
      reply.set_data(name + ":" + r.data());
      return std::optional(reply);
    };
  };
  // 8 + 8 places for 12 concurrent calls: however the gateway picks a stream, the first
  // one's limit makes it use the second.
  auto s1 = ServeClient::start(b_->grpc_address(), {"test.work"}, slow(first, "one"), 8);
  auto s2 = ServeClient::start(b_->grpc_address(), {"test.work"}, slow(second, "two"), 8);
  ASSERT_TRUE(s1 && s2);
  std::vector<std::future<CallResult>> calls;
  for (int i = 0; i < 12; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      auto stub = peer_stub(a_->grpc_address());
      return call_twin(*stub, twins_[1].id, "test.work", std::to_string(i), 60s);
    }));
  }
  for (auto& f : calls) {
    auto r = f.get();
    EXPECT_TRUE(r.status.ok()) << r.status.error_code() << " " << r.status.error_message();
  }
  EXPECT_GT(first.load(), 0);
  EXPECT_GT(second.load(), 0);
  EXPECT_EQ(first.load() + second.load(), 12);
}

TEST_F(PeerTest, UnansweredRequestsMoveToTheOtherInstanceWhenAStreamDrops) {
  auto silent = ServeClient::start(b_->grpc_address(), {"test.job"}, silent_handler());
  ASSERT_TRUE(silent);
  auto pending = std::async(std::launch::async, [&] {
    auto stub = peer_stub(a_->grpc_address());
    return call_twin(*stub, twins_[1].id, "test.job", "task", 60s);
  });
  ASSERT_TRUE(silent->wait_received(1, 30s));
  auto worker = ServeClient::start(b_->grpc_address(), {"test.job"}, echo_handler("worker did "));
  ASSERT_TRUE(worker);
  silent->cancel();
  auto r = pending.get();
  ASSERT_TRUE(r.status.ok()) << r.status.error_code() << " " << r.status.error_message();
  EXPECT_EQ(r.reply.data(), "worker did task");
  EXPECT_EQ(worker->received(), 1u);
}

TEST_F(PeerTest, OneMebibytePayload) {
  auto service = ServeClient::start(b_->grpc_address(), {"test.echo"}, echo_handler(""));
  ASSERT_TRUE(service);
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) ^ (i >> 8));
  auto r = call_twin(*stub_a_, twins_[1].id, "test.echo", data, 60s);
  ASSERT_TRUE(r.status.ok()) << r.status.error_code() << " " << r.status.error_message();
  EXPECT_EQ(r.reply.data().size(), data.size());
  EXPECT_TRUE(r.reply.data() == data);
}

TEST_F(PeerTest, InfoDescribesThePeer) {
  grpc::ClientContext context;
  apiv1::InfoResponse info;
  ASSERT_TRUE(stub_a_->Info(&context, apiv1::InfoRequest(), &info).ok());
  EXPECT_EQ(info.twin(), twins_[0].id);
  EXPECT_EQ(info.key_type(), "ed25519");
  EXPECT_EQ(info.account_hex(), core::to_hex(twins_[0].signer->account()));
  EXPECT_EQ(info.account_ss58(), core::ss58_encode(twins_[0].signer->account()));
  const auto pk = e2e_public(twins_[0]);
  EXPECT_EQ(info.e2e_public_key(), std::string(pk.begin(), pk.end()));
  ASSERT_EQ(info.relays_size(), 1);
  EXPECT_EQ(info.relays(0).url(), ws_url(relay_->port()));
  EXPECT_EQ(info.relays(0).state(), apiv1::RelayLink::CONNECTED);
  EXPECT_GT(info.relays(0).connected_since(), 0u);
  EXPECT_FALSE(info.version().empty());
}

TEST_F(PeerTest, HealthAndReflection) {
  auto channel = peer_channel(a_->grpc_address());
  auto health = health_check(channel);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, 1);
  auto services = reflection_services(channel);
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(), "rmb.api.v1.Gateway"), services->end());
  EXPECT_NE(std::find(services->begin(), services->end(), "grpc.health.v1.Health"), services->end());
}

TEST_F(PeerTest, RelayNeverSeesThePlaintextOfAnEncryptedCall) {
  // B2 is B again behind a recording proxy: the relay writes to it what it received.
  b_.reset();
  TcpRecorder b_wire(relay_->port());
  TcpRecorder c_wire(relay_->port());
  auto b = PeerProcess::start(peer_args(twins_[1], {b_wire.port()}, directory_));
  ASSERT_TRUE(b.ok()) << b.status();
  // C publishes no e2e key (rewrite the directory), so requests to it travel in clear:
  // the control that shows the recorder would see a plaintext payload.
  ASSERT_TRUE(write_directory(directory_, {}, {entry(twins_[0]), entry(twins_[1]), entry(twins_[2], false)}).ok());
  std::this_thread::sleep_for(1100ms);  // the file directory re-reads at most once a second
  auto c = PeerProcess::start(peer_args(twins_[2], {c_wire.port()}, directory_));
  ASSERT_TRUE(c.ok()) << c.status();
  auto sb = ServeClient::start((*b)->grpc_address(), {"test.echo"}, echo_handler(""));
  auto sc = ServeClient::start((*c)->grpc_address(), {"test.echo"}, echo_handler(""));
  ASSERT_TRUE(sb && sc);
  ASSERT_TRUE(wait_links(*peer_stub((*b)->grpc_address()), 1));
  ASSERT_TRUE(wait_links(*peer_stub((*c)->grpc_address()), 1));

  const std::string secret = "MARKER-" + core::to_hex(twins_[0].seed).substr(0, 24) + "-NEVER-IN-CLEAR";
  auto rb = call_twin(*stub_a_, twins_[1].id, "test.echo", secret, 30s);
  ASSERT_TRUE(rb.status.ok()) << rb.status.error_message();
  EXPECT_EQ(rb.reply.data(), secret);
  const std::string clear = "MARKER-plain-" + core::to_hex(twins_[2].seed).substr(0, 24);
  auto rc = call_twin(*stub_a_, twins_[2].id, "test.echo", clear, 30s);
  ASSERT_TRUE(rc.status.ok()) << rc.status.error_message();

  const std::string to_b = b_wire.downstream();
  EXPECT_GT(to_b.size(), secret.size());
  EXPECT_EQ(to_b.find(secret), std::string::npos) << "plaintext reached the relay";
  EXPECT_NE(c_wire.downstream().find(clear), std::string::npos) << "the control saw no plaintext";
}

TEST_F(PeerTest, UnixSocketListen) {
  const std::string path = dir_ + "/c.sock";
  auto c = PeerProcess::start([&] {
    auto args = peer_args(twins_[2], {relay_->port()}, directory_);
    args.push_back("--grpc-listen");
    args.push_back("unix:" + path);
    return args;
  }());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)->grpc_address(), "unix:" + path);
  auto stub = peer_stub("unix:" + path);
  grpc::ClientContext context;
  apiv1::InfoResponse info;
  ASSERT_TRUE(stub->Info(&context, apiv1::InfoRequest(), &info).ok());
  EXPECT_EQ(info.twin(), twins_[2].id);
}

TEST_F(PeerTest, MetricsEndpoint) {
  auto c = PeerProcess::start([&] {
    auto args = peer_args(twins_[2], {relay_->port()}, directory_);
    args.push_back("--metrics-listen");
    args.push_back("127.0.0.1:0");
    return args;
  }());
  ASSERT_TRUE(c.ok()) << c.status();
  // The port it bound, from its log (logged before the ready line).
  std::smatch metrics_at;
  const std::string log = (*c)->output();
  ASSERT_TRUE(std::regex_search(log, metrics_at, std::regex(R"(metrics on http://127\.0\.0\.1:(\d+)/metrics)"))) << log;
  const uint16_t port = static_cast<uint16_t>(std::stoul(metrics_at[1].str()));
  auto stub = peer_stub((*c)->grpc_address());
  ASSERT_TRUE(wait_links(*stub, 1));
  const std::string url = ws_url(relay_->port());
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string body;
  while (std::chrono::steady_clock::now() < deadline) {
    auto page = http_get(port, "/metrics");
    ASSERT_EQ(page.status, 200u) << page.error;
    body = page.body;
    if (body.find("rmb_peer_relay_link_up{url=\"" + url + "\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(body.find("rmb_peer_relay_link_up{url=\"" + url + "\"} 1"), std::string::npos) << body;
  EXPECT_EQ(http_get(port, "/other").status, 404u);
}

}  // namespace
}  // namespace rmb::test
