// Engines over a real rmb-relay with real relay links (PROTOCOL.md §8.5-§8.10): round trips of both key types,
// encryption exactly where a pk is published, fan-out, size, rmb.version, services and their sharing.
#include "tests/gateway/engine/engine_net_fixture.h"

namespace rmb::gateway::test {
namespace {

TEST_F(EngineNetTest, RoundTripEd25519Encrypted) {
  Node& a = start_node(kEdA);
  Node& b = start_node(kEdB);
  auto sink = serve(b, "calc.echo");

  auto call = std::make_shared<Call>();
  OutgoingRequest req = make_request({kEdB}, "calc.echo", "hello over rmb");
  req.schema = "application/json";
  req.tags = "t1";
  const std::string uid = send(a, std::move(req), call);

  auto seen = sink->received.pop();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->uid, uid);
  EXPECT_EQ(seen->source.twin, kEdA);
  EXPECT_EQ(seen->command, "calc.echo");
  EXPECT_EQ(seen->data, "hello over rmb");
  EXPECT_EQ(seen->schema, "application/json");
  EXPECT_EQ(seen->tags, "t1");

  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->uid, uid);
  expect_response(*outcome, kEdB, "hello over rmb");
  EXPECT_EQ(outcome->schema, "application/json");
  EXPECT_GT(outcome->timestamp, 0u);
  EXPECT_TRUE(call->done.pop().has_value());
  EXPECT_EQ(a.engine->stats().requests_out.value(), 1u);
  EXPECT_EQ(a.engine->stats().replies_in.value(), 1u);
  EXPECT_EQ(b.engine->stats().requests_in.value(), 1u);
  EXPECT_EQ(a.engine->stats().pending.value(), 0);
  EXPECT_EQ(a.engine->stats().latency.count(), 1u);
}

TEST_F(EngineNetTest, RoundTripSr25519Plain) {
  Node& c = start_node(kSrC);
  Node& d = start_node(kSrD);
  auto sink = serve(d, "calc.echo");
  auto call = std::make_shared<Call>();
  send(c, make_request({kSrD}, "calc.echo", "sr25519 both ways"), call);
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  expect_response(*outcome, kSrD, "sr25519 both ways");
  EXPECT_TRUE(call->done.pop().has_value());

  // Across key types: sr25519 without a pk -> ed25519 with one: plain, since the receiver
  // could not decrypt without the sender's pk (it would answer 105).
  Node& a = start_node(kEdA);
  auto back = serve(a, "calc.echo");
  auto call2 = std::make_shared<Call>();
  send(c, make_request({kEdA}, "calc.echo", "to ed25519"), call2);
  outcome = call2->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  expect_response(*outcome, kEdA, "to ed25519");
}

TEST_F(EngineNetTest, EnvelopesAreEncryptedExactlyForTwinsWithAPk) {
  Node& a = start_node(kEdA);
  auto with_pk = client(kWsPk);
  auto without_pk = client(kWsPlain);
  ASSERT_TRUE(with_pk && without_pk);

  auto call = std::make_shared<Call>();
  const std::string uid = send(a, make_request({kWsPk, kWsPlain}, "x.y", "secret words"), call);

  auto enc = with_pk->receive(20s);
  ASSERT_TRUE(enc.ok()) << enc.status();
  EXPECT_EQ(enc->uid(), uid);
  ASSERT_TRUE(enc->has_cipher());
  EXPECT_EQ(enc->cipher().size(), 12 + 12 + 16u);
  EXPECT_EQ(decrypt_for(kWsPk, kEdA, enc->cipher()), "secret words");
  EXPECT_EQ(enc->source().twin(), kEdA);
  EXPECT_FALSE(enc->source().has_connection());
  EXPECT_EQ(enc->destination().twin(), kWsPk);
  EXPECT_EQ(enc->request().command(), "x.y");
  // Signed by twin A over the ciphertext (§2.3: verify, then decrypt).
  EXPECT_TRUE(core::verify_envelope(*enc, twin(kEdA).entry().account).ok());

  auto plain = without_pk->receive(20s);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->uid(), uid);  // one uid for all destinations
  ASSERT_TRUE(plain->has_plain());
  EXPECT_EQ(plain->plain(), "secret words");
  EXPECT_TRUE(core::verify_envelope(*plain, twin(kEdA).entry().account).ok());

  // Answer from the plain client: the engine takes it.
  auto answer = without_pk->response_to(*plain, "ok");
  ASSERT_TRUE(without_pk->send(answer).ok());
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  expect_response(*outcome, kWsPlain, "ok");
  a.engine->cancel(uid);
}

TEST_F(EngineNetTest, FanOutAnsweredUnknownAndOffline) {
  Node& a = start_node(kEdA);
  Node& b = start_node(kEdB);
  serve(b, "calc.echo");
  auto call = std::make_shared<Call>();
  // 5 s: timestamps are whole seconds, so B sees between 4 and 5 s left for its answer
  // (with 3, as little as 2 s for the round trip through the relay on a loaded machine).
  const std::string uid = send(a, make_request({kEdB, 999, kOffline}, "calc.echo", "fan", 5), call);

  std::map<uint32_t, Outcome> by_twin;
  for (int i = 0; i < 3; ++i) {
    auto o = call->outcomes.pop();
    ASSERT_TRUE(o.has_value()) << "outcome " << i;
    EXPECT_EQ(o->uid, uid);
    EXPECT_FALSE(by_twin.count(o->destination.twin)) << "two outcomes for " << o->destination.twin;
    by_twin[o->destination.twin] = *o;
    if (i < 2) {
      EXPECT_EQ(call->done.size(), 0u);  // done comes after the last outcome
    }
  }
  ASSERT_EQ(by_twin.size(), 3u);
  expect_response(by_twin[kEdB], kEdB, "fan");

  const Outcome& unknown = by_twin[999];
  EXPECT_EQ(unknown.origin, Outcome::Origin::kLocal);
  ASSERT_TRUE(unknown.error.has_value());
  EXPECT_EQ(unknown.error->code, 103u);
  EXPECT_EQ(unknown.error->message, "unknown twin id '999'");
  EXPECT_FALSE(unknown.expired);

  const Outcome& offline = by_twin[kOffline];
  EXPECT_EQ(offline.origin, Outcome::Origin::kLocal);
  EXPECT_TRUE(offline.expired);
  ASSERT_TRUE(offline.error.has_value());
  EXPECT_EQ(offline.error->code, 102u);
  EXPECT_EQ(offline.error->message, "no reply before the deadline");

  EXPECT_TRUE(call->done.pop().has_value());
  EXPECT_FALSE(call->done.pop(200ms).has_value());  // once
  EXPECT_EQ(a.engine->stats().expired.value(), 1u);
  EXPECT_EQ(a.engine->stats().errors_by_code[4]->value(), 1u);  // 103
  EXPECT_EQ(a.engine->stats().pending.value(), 0);
}

TEST_F(EngineNetTest, OneMebibytePayloadEncrypted) {
  Node& a = start_node(kEdA);
  Node& b = start_node(kEdB);
  auto sink = serve(b, "blob.echo");
  std::string payload(1 << 20, '\0');
  randombytes_buf(payload.data(), payload.size());
  auto call = std::make_shared<Call>();
  send(a, make_request({kEdB}, "blob.echo", payload), call);
  auto seen = sink->received.pop(60s);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->data.size(), payload.size());
  EXPECT_TRUE(seen->data == payload);
  auto outcome = call->outcomes.pop(60s);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(outcome->error.has_value());
  EXPECT_TRUE(outcome->data == payload);
}

TEST_F(EngineNetTest, RmbVersionIsAnsweredByTheEngine) {
  Node& a = start_node(kEdA);
  EngineOptions options;
  options.version = "v1.5.1-cpp";
  Node& b = start_node(kEdB, options);
  auto fallback = std::make_shared<RecordingSink>(b.engine.get(), false);
  b.engine->set_fallback(fallback);
  auto call = std::make_shared<Call>();
  send(a, make_request({kEdB}, "rmb.version", ""), call);
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  expect_response(*outcome, kEdB, "\"v1.5.1-cpp\"");
  EXPECT_EQ(outcome->schema, "application/json");

  // Other rmb.* commands are dropped without an answer, and reach no sink.
  auto dropped = std::make_shared<Call>();
  send(a, make_request({kEdB}, "rmb.nothing", "", 2), dropped);
  auto o = dropped->outcomes.pop();
  ASSERT_TRUE(o.has_value());
  EXPECT_TRUE(o->expired);
  EXPECT_EQ(fallback->received.size(), 0u);
}

TEST_F(EngineNetTest, CommandsWithoutServiceGetAnErrorAtOnceAndTheFallbackTakesTheRest) {
  Node& a = start_node(kEdA);
  Node& b = start_node(kEdB);
  auto call = std::make_shared<Call>();
  send(a, make_request({kEdB}, "nobody.home", "x"), call);
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->origin, Outcome::Origin::kRemote);
  ASSERT_TRUE(outcome->error.has_value());
  EXPECT_EQ(outcome->error->code, 0u);
  EXPECT_EQ(outcome->error->message, "no service for command 'nobody.home'");

  auto fallback = std::make_shared<RecordingSink>(b.engine.get(), true);
  b.engine->set_fallback(fallback);
  auto again = std::make_shared<Call>();
  send(a, make_request({kEdB}, "nobody.home", "y"), again);
  outcome = again->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  expect_response(*outcome, kEdB, "y");
  EXPECT_EQ(fallback->received.size(), 1u);
}

TEST_F(EngineNetTest, RequestsAreSharedRoundRobinAmongSinks) {
  Node& a = start_node(kEdA);
  Node& b = start_node(kEdB);
  auto one = serve(b, "work");
  auto two = serve(b, "work");
  for (int i = 0; i < 4; ++i) {
    auto call = std::make_shared<Call>();
    send(a, make_request({kEdB}, "work", std::to_string(i)), call);
    ASSERT_TRUE(call->done.pop().has_value());
  }
  EXPECT_EQ(one->received.size(), 2u);
  EXPECT_EQ(two->received.size(), 2u);
}

}  // namespace
}  // namespace rmb::gateway::test
