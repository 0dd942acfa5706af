// Engines over a real rmb-relay: what is refused and how (PROTOCOL.md §8.9): tampered and undecryptable envelopes,
// replies from twins not asked, service and relay errors, bad requests, bounds on incoming work, a service that
// registers late.
#include "tests/gateway/engine/engine_net_fixture.h"

namespace rmb::gateway::test {
namespace {

TEST_F(EngineNetTest, TamperedEnvelopesGetA104AndReachNoSink) {
  Node& b = start_node(kEdB);
  auto sink = serve(b, "calc.echo");
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);

  auto expect_error = [&](const rmb::Envelope& sent, uint32_t code, const std::string& message) {
    auto reply = ws->receive(20s);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->uid(), sent.uid());
    ASSERT_TRUE(reply->has_error());
    EXPECT_EQ(reply->error().code(), code);
    EXPECT_EQ(reply->error().message(), message);
    EXPECT_EQ(reply->destination().twin(), kWsPlain);
    EXPECT_EQ(reply->expiration(), sent.expiration());
    EXPECT_TRUE(core::verify_envelope(*reply, twin(kEdB).entry().account).ok());
  };

  rmb::Envelope payload = signed_request(*ws, kEdB, "calc.echo", "original");
  payload.set_plain("tampered");
  ASSERT_TRUE(ws->send(payload, false).ok());
  expect_error(payload, 104, "invalid envelope signature: ed25519 signature verification failed");

  rmb::Envelope signature = signed_request(*ws, kEdB, "calc.echo", "x");
  (*signature.mutable_signature())[10] ^= 0x01;
  ASSERT_TRUE(ws->send(signature, false).ok());
  expect_error(signature, 104, "invalid envelope signature: ed25519 signature verification failed");

  // Source twin 6, signed with twin 5's key.
  rmb::Envelope forged = ws->request_to(kEdB, std::nullopt, "calc.echo", "forged");
  auto other = core::make_signer(KeyType::kEd25519, twin(kWsPk).seed);
  ASSERT_TRUE(other.ok());
  core::sign_envelope(forged, **other);
  ASSERT_TRUE(ws->send(forged, false).ok());
  expect_error(forged, 104, "invalid envelope signature: ed25519 signature verification failed");

  rmb::Envelope unsigned_env = ws->request_to(kEdB, std::nullopt, "calc.echo", "u");
  ASSERT_TRUE(ws->send(unsigned_env, false).ok());
  expect_error(unsigned_env, 104, "invalid envelope signature: message is not signed");

  rmb::Envelope old = ws->request_to(kEdB, std::nullopt, "calc.echo", "old");
  old.set_timestamp(core::unix_now() - 1000);
  old.set_expiration(60);
  ASSERT_TRUE(ws->send(old, true).ok());
  expect_error(old, 102, "envelope validation error: message has expired");

  // Cipher from a twin without a pk.
  rmb::Envelope cipher = ws->request_to(kEdB, std::nullopt, "calc.echo", "");
  cipher.set_cipher(std::string(40, 'c'));
  ASSERT_TRUE(ws->send(cipher, true).ok());
  expect_error(cipher, 105, "sender twin has no public key");

  EXPECT_EQ(sink->received.size(), 0u);
  EXPECT_EQ(b.engine->stats().requests_in.value(), 0u);
  EXPECT_EQ(b.engine->stats().errors_by_code[5]->value(), 4u);  // 104
}

TEST_F(EngineNetTest, UndecryptableCipherGetsA106) {
  Node& b = start_node(kEdB);
  auto sink = serve(b, "calc.echo");
  auto ws = client(kWsPk);
  ASSERT_TRUE(ws);
  rmb::Envelope env = ws->request_to(kEdB, std::nullopt, "calc.echo", "");
  env.set_cipher(std::string(40, 'c'));
  ASSERT_TRUE(ws->send(env, true).ok());
  auto reply = ws->receive(20s);
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_TRUE(reply->has_error());
  EXPECT_EQ(reply->error().code(), 106u);
  EXPECT_EQ(reply->error().message(), "e2e error: invalid cipher data");
  // The error itself is encrypted for kWsPk (§8.6: errors get encrypted too).
  ASSERT_TRUE(reply->has_cipher());
  EXPECT_EQ(decrypt_for(kWsPk, kEdB, reply->cipher()), "");
  EXPECT_EQ(sink->received.size(), 0u);
}

TEST_F(EngineNetTest, AReplyFromATwinNotAskedIsIgnored) {
  Node& a = start_node(kEdA);
  Node& b = start_node(kEdB);
  auto sink = serve(b, "slow", /*echo=*/false);
  auto intruder = client(kWsPlain);
  ASSERT_TRUE(intruder);

  auto call = std::make_shared<Call>();
  const std::string uid = send(a, make_request({kEdB}, "slow", "q"), call);
  auto seen = sink->received.pop();
  ASSERT_TRUE(seen.has_value());

  rmb::Envelope fake;
  fake.set_uid(uid);
  fake.set_timestamp(core::unix_now());
  fake.set_expiration(60);
  fake.mutable_source()->set_twin(kWsPlain);
  fake.mutable_destination()->set_twin(kEdA);
  fake.mutable_response();
  fake.set_plain("not from B");
  ASSERT_TRUE(intruder->send(fake, true).ok());
  // Wait until A has handled it, then check it produced no outcome.
  for (int i = 0; i < 400 && a.engine->stats().replies_ignored.value() == 0; ++i) std::this_thread::sleep_for(25ms);
  EXPECT_EQ(a.engine->stats().replies_ignored.value(), 1u);
  EXPECT_EQ(call->outcomes.size(), 0u);

  ServiceReply reply;
  reply.data = "from B";
  b.engine->reply(seen->uid, seen->source, std::move(reply));
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  expect_response(*outcome, kEdB, "from B");
}

TEST_F(EngineNetTest, ServiceErrorsTravelAsErrorEnvelopes) {
  Node& a = start_node(kEdA);
  Node& b = start_node(kEdB);
  auto sink = serve(b, "fails", /*echo=*/false);
  auto call = std::make_shared<Call>();
  send(a, make_request({kEdB}, "fails", "q"), call);
  auto seen = sink->received.pop();
  ASSERT_TRUE(seen.has_value());
  ServiceReply reply;
  reply.error = RmbError{42, "it broke"};
  b.engine->reply(seen->uid, seen->source, std::move(reply));
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->origin, Outcome::Origin::kRemote);
  ASSERT_TRUE(outcome->error.has_value());
  EXPECT_EQ(outcome->error->code, 42u);
  EXPECT_EQ(outcome->error->message, "it broke");
}

TEST_F(EngineNetTest, RelayErrorsBecomeRelayOutcomes) {
  // Twin 8 is in the directory without a relay: the relay refuses to route to it.
  core::Twin norelay = make_net_twin(8, KeyType::kEd25519, false).entry();
  norelay.relays.clear();
  TearDown();
  start_network(twins_, {norelay});
  Node& a = start_node(kEdA);
  auto call = std::make_shared<Call>();
  send(a, make_request({8}, "x", "y"), call);
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->origin, Outcome::Origin::kRelay);
  EXPECT_EQ(outcome->source.twin, 0u);
  EXPECT_EQ(outcome->destination.twin, 8u);
  ASSERT_TRUE(outcome->error.has_value());
  EXPECT_EQ(outcome->error->code, 0u);
  EXPECT_EQ(outcome->error->message, "relay info is not set for this twin");
}

TEST_F(EngineNetTest, AFanOutRelayErrorNeverTakesTheSlotOfARealReply) {
  // Twin 8 has no relay: the relay answers its envelope with an error that names no twin.
  core::Twin norelay = make_net_twin(8, KeyType::kEd25519, false).entry();
  norelay.relays.clear();
  TearDown();
  start_network(twins_, {norelay});
  Node& a = start_node(kEdA);
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  auto call = std::make_shared<Call>();
  // kWsPlain is asked first and answers only after the relay error for 8 is in.
  const std::string uid = send(a, make_request({kWsPlain, 8}, "calc.echo", "fan", 4), call);
  auto request = ws->receive(20s);
  ASSERT_TRUE(request.ok()) << request.status();
  // Only once the relay's error for 8 reached A does kWsPlain answer.
  ASSERT_EQ(rmb::test::poll_until([&] { return a.engine->stats().relay_errors_held.value(); },
                                  [](uint64_t n) { return n >= 1; }, 20s),
            1u);
  EXPECT_EQ(call->outcomes.size(), 0u);
  ASSERT_TRUE(ws->send(ws->response_to(*request, "real")).ok());

  std::map<uint32_t, Outcome> by_twin;
  for (int i = 0; i < 2; ++i) {
    auto o = call->outcomes.pop();
    ASSERT_TRUE(o.has_value()) << "outcome " << i;
    EXPECT_EQ(o->uid, uid);
    by_twin[o->destination.twin] = *o;
  }
  ASSERT_EQ(by_twin.size(), 2u);
  expect_response(by_twin[kWsPlain], kWsPlain, "real");
  const Outcome& refused = by_twin[8];
  EXPECT_EQ(refused.origin, Outcome::Origin::kRelay);
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_EQ(refused.error->message, "relay info is not set for this twin");
  EXPECT_TRUE(call->done.pop().has_value());
}

TEST(RelayErrorKind, RefusalsAreFinalFailuresAreNot) {
  for (const char* final_text :
       {"unknown twin destination", "relay info is not set for this twin", "destination offline",
        "exceeded rate limits, dropping message", "remote relay rejected permanently: destination offline",
        "message has expired", "message wrong source", "message with missing destination"}) {
    EXPECT_FALSE(relay_error_is_transient(final_text)) << final_text;
  }
  for (const char* passing : {"failed to route message to peer '7': redis error: unavailable",
                              "redis error: redis://127.0.0.1:6379 unavailable", "pool error: timed out",
                              "failed to get twin: connection refused"}) {
    EXPECT_TRUE(relay_error_is_transient(passing)) << passing;
  }
}

TEST_F(EngineNetTest, ARequestArrivingBeforeItsServiceRegisteredWaitsForIt) {
  // As after an rmb-peer restart: the relay hands over mail at once, the services'
  // streams register a moment later.
  EngineOptions options;
  options.service_grace = 30s;
  Node& b = start_node(kEdB, options);
  auto fallback = std::make_shared<RecordingSink>(b.engine.get(), false);
  b.engine->set_fallback(fallback);  // the Redis front door comes up first
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  rmb::Envelope env = signed_request(*ws, kEdB, "calc.late", "wait for me");
  ASSERT_TRUE(ws->send(env, false).ok());
  ASSERT_EQ(rmb::test::poll_until([&] { return b.engine->stats().requests_in.value(); },
                                  [](uint64_t n) { return n >= 1; }, 20s),
            1u);
  auto sink = serve(b, "calc.late");
  auto seen = sink->received.pop();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->uid, env.uid());
  auto answer = ws->receive(20s);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->uid(), env.uid());
  EXPECT_TRUE(answer->has_response());
  EXPECT_EQ(answer->plain(), "wait for me");
  EXPECT_EQ(fallback->received.size(), 0u);
}

TEST_F(EngineNetTest, BadRequestsAreRefusedUpFront) {
  EngineOptions options;
  options.max_pending = 1;
  Node& a = start_node(kEdA, options);
  auto call = std::make_shared<Call>();
  auto noop = [](Outcome) {};
  auto nodone = [] {};
  EXPECT_EQ(a.engine->request(make_request({}, "x", ""), noop, nodone).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a.engine->request(make_request({kEdB}, "", ""), noop, nodone).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a.engine->request(make_request({kEdB}, "x", "", 0), noop, nodone).status().code(),
            absl::StatusCode::kInvalidArgument);
  OutgoingRequest old = make_request({kEdB}, "x", "", 10);
  old.timestamp = core::unix_now() - 100;
  EXPECT_EQ(a.engine->request(old, noop, nodone).status().code(), absl::StatusCode::kDeadlineExceeded);

  const std::string uid = send(a, make_request({kOffline}, "x", "", 60), call);
  EXPECT_EQ(a.engine->request(make_request({kEdB}, "x", ""), noop, nodone).status().code(),
            absl::StatusCode::kResourceExhausted);
  // Cancelled: no handler runs any more, and the slot is free again.
  a.engine->cancel(uid);
  EXPECT_EQ(a.engine->stats().pending.value(), 0);
  EXPECT_FALSE(call->outcomes.pop(300ms).has_value());
  EXPECT_TRUE(a.engine->request(make_request({kOffline}, "x", "", 1), noop, nodone).ok());
}

TEST_F(EngineNetTest, EachRequestExpiresAtItsOwnDeadlineWhateverTheOrderTheyCameIn) {
  // One timer serves every deadline: a short request after a long one must move it earlier,
  // and the long one must still expire after the short one has.
  Node& a = start_node(kEdA);
  auto long_call = std::make_shared<Call>();
  auto short_call = std::make_shared<Call>();
  auto later_call = std::make_shared<Call>();
  const auto start = std::chrono::steady_clock::now();
  send(a, make_request({kOffline}, "x", "", 60), long_call);
  const std::string short_uid = send(a, make_request({kOffline}, "x", "", 2), short_call);
  send(a, make_request({kOffline}, "x", "", 4), later_call);

  auto expired = short_call->outcomes.pop();
  ASSERT_TRUE(expired.has_value());
  EXPECT_EQ(expired->uid, short_uid);
  EXPECT_TRUE(expired->expired);
  EXPECT_TRUE(short_call->done.pop().has_value());
  // A TTL of 2 whole seconds is at least 1 s of real time.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
  auto next = later_call->outcomes.pop();
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(next->expired);
  EXPECT_FALSE(long_call->outcomes.pop(200ms).has_value());
  EXPECT_EQ(a.engine->stats().pending.value(), 1);
  EXPECT_EQ(a.engine->stats().expired.value(), 2u);

  // Stopping settles what is left, on the I/O threads, once.
  a.engine->stop();
  auto last = long_call->outcomes.pop();
  ASSERT_TRUE(last.has_value());
  EXPECT_TRUE(last->expired);
  EXPECT_TRUE(long_call->done.pop().has_value());
  EXPECT_FALSE(long_call->outcomes.pop(200ms).has_value());
}

TEST_F(EngineNetTest, TooManyIncomingInFlightAreAnsweredWithAnError) {
  Node& a = start_node(kEdA);
  EngineOptions options;
  options.max_incoming_in_flight = 1;
  Node& b = start_node(kEdB, options);
  auto sink = serve(b, "hold", /*echo=*/false);
  auto first = std::make_shared<Call>();
  send(a, make_request({kEdB}, "hold", "1"), first);
  ASSERT_TRUE(sink->received.pop().has_value());
  auto second = std::make_shared<Call>();
  send(a, make_request({kEdB}, "hold", "2"), second);
  auto outcome = second->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(outcome->error.has_value());
  EXPECT_EQ(outcome->error->code, 0u);
  EXPECT_EQ(outcome->error->message, "gateway is busy: 1 requests are waiting for an answer, try again later");
  EXPECT_EQ(b.engine->stats().incoming_in_flight.value(), 1);
}

}  // namespace
}  // namespace rmb::gateway::test
