// Engines over a real rmb-relay with real relay links (PROTOCOL.md §8.5-§8.10, §9).
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
namespace {

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

void expect_response(const Outcome& o, uint32_t from, const std::string& data) {
  EXPECT_EQ(o.origin, Outcome::Origin::kRemote);
  EXPECT_EQ(o.source.twin, from);
  EXPECT_EQ(o.destination.twin, from);
  EXPECT_FALSE(o.error.has_value()) << o.error->code << " " << o.error->message;
  EXPECT_FALSE(o.expired);
  EXPECT_EQ(o.data, data);
}

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

TEST_F(EngineNetTest, ARepeatedRequestIsAnsweredAgainFromTheReplyCacheAndReachesTheSinkOnce) {
  Node& b = start_node(kEdB);
  auto sink = serve(b, "calc.echo");
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  rmb::Envelope env = signed_request(*ws, kEdB, "calc.echo", "once");
  ASSERT_TRUE(ws->send(env, false).ok());
  auto first = ws->receive_raw(20s);
  ASSERT_TRUE(first.ok()) << first.status();
  rmb::Envelope answer;
  ASSERT_TRUE(answer.ParseFromString(*first));
  EXPECT_EQ(answer.uid(), env.uid());
  EXPECT_TRUE(answer.has_response());
  EXPECT_EQ(answer.plain(), "once");  // kWsPlain publishes no pk: plain answer
  EXPECT_TRUE(core::verify_envelope(answer, twin(kEdB).entry().account).ok());
  EXPECT_EQ(answer.expiration(), 1800u);

  // The caller lost the answer and asks again: the very same reply, not a second delivery.
  ASSERT_TRUE(ws->send(env, false).ok());
  auto again = ws->receive_raw(20s);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(sink->received.size(), 1u);
  EXPECT_EQ(b.engine->stats().dedup_hits.value(), 1u);
  EXPECT_EQ(b.engine->stats().replies_replayed.value(), 1u);
}

TEST_F(EngineNetTest, ARepeatWhileTheServiceWorksIsNotDeliveredAgainAndGetsOneAnswer) {
  Node& b = start_node(kEdB);
  auto sink = serve(b, "calc.slow", /*echo=*/false);
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  rmb::Envelope env = signed_request(*ws, kEdB, "calc.slow", "working");
  ASSERT_TRUE(ws->send(env, false).ok());
  ASSERT_TRUE(ws->send(env, false).ok());
  // A second request behind the repeat: once it reached the sink, the repeat was handled
  // (frames of one connection are handled in order).
  rmb::Envelope next = signed_request(*ws, kEdB, "calc.slow", "next");
  ASSERT_TRUE(ws->send(next, false).ok());
  auto one = sink->received.pop();
  auto two = sink->received.pop();
  ASSERT_TRUE(one.has_value() && two.has_value());
  EXPECT_EQ(one->uid, env.uid());
  EXPECT_EQ(two->uid, next.uid());
  EXPECT_EQ(b.engine->stats().dedup_hits.value(), 1u);

  ServiceReply reply;
  reply.data = "done";
  b.engine->reply(env.uid(), one->source, reply);
  auto answer = ws->receive(20s);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->uid(), env.uid());
  EXPECT_EQ(answer->plain(), "done");
  b.engine->reply(next.uid(), two->source, reply);
  auto answer2 = ws->receive(20s);
  ASSERT_TRUE(answer2.ok()) << answer2.status();
  EXPECT_EQ(answer2->uid(), next.uid());  // nothing else came for env in between
  EXPECT_EQ(sink->received.size(), 0u);
}

TEST_F(EngineNetTest, AnUnansweredRequestIsSentAgainOnTheTimerAndSettlesOnce) {
  EngineOptions options;
  options.resend_after = 1s;
  options.resend_max = 1s;
  Node& a = start_node(kEdA, options);
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  auto call = std::make_shared<Call>();
  const std::string uid = send(a, make_request({kWsPlain}, "calc.echo", "again"), call);
  auto first = ws->receive_raw(20s);
  ASSERT_TRUE(first.ok()) << first.status();
  // Nobody answers: the same signed bytes come again.
  auto second = ws->receive_raw(20s);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, *first);
  rmb::Envelope request;
  ASSERT_TRUE(request.ParseFromString(*first));
  EXPECT_EQ(request.uid(), uid);
  EXPECT_GE(a.engine->stats().resends.value(), 1u);

  // Both copies answered: one outcome.
  ASSERT_TRUE(ws->send(ws->response_to(request, "r1")).ok());
  ASSERT_TRUE(ws->send(ws->response_to(request, "r2")).ok());
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->data, "r1");
  EXPECT_TRUE(call->done.pop().has_value());
  // The second answer is known as a repeat of a settled request: not an outcome, not an
  // orphan (checked by the orphan test below); wait until it was handled.
  EXPECT_TRUE(rmb::test::poll_until([&] { return a.engine->stats().replies_ignored.value(); },
                                    [](uint64_t n) { return n >= 1; }, 20s) >= 1u);
  EXPECT_FALSE(call->outcomes.pop(200ms).has_value());
}

class RecordingOrphans : public OrphanReplySink {
 public:
  void on_orphan_reply(const Outcome& reply) override { replies.push(reply); }
  Inbox<Outcome> replies;
};

TEST_F(EngineNetTest, RepliesForNoRequestOfThisProcessGoToTheOrphanSinkButRepeatsDoNot) {
  EngineOptions options;
  options.resend_after = 0s;
  Node& a = start_node(kEdA, options);
  auto orphans = std::make_shared<RecordingOrphans>();
  a.engine->set_orphan_reply_sink(orphans);
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  auto call = std::make_shared<Call>();
  send(a, make_request({kWsPlain}, "calc.echo", "x"), call);
  auto request = ws->receive(20s);
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_TRUE(ws->send(ws->response_to(*request, "answer")).ok());
  ASSERT_TRUE(call->outcomes.pop().has_value());
  ASSERT_TRUE(ws->send(ws->response_to(*request, "repeat")).ok());

  // A reply to a request this process never sent (one sent before a restart).
  rmb::Envelope late = ws->response_to(*request, "late answer");
  late.set_uid("uid-from-before-a-restart");
  ASSERT_TRUE(ws->send(late).ok());
  auto orphan = orphans->replies.pop();
  ASSERT_TRUE(orphan.has_value());
  EXPECT_EQ(orphan->uid, "uid-from-before-a-restart");
  EXPECT_EQ(orphan->source.twin, kWsPlain);
  EXPECT_EQ(orphan->data, "late answer");
  // The repeat was sent first and frames of one connection are handled in order.
  EXPECT_EQ(orphans->replies.size(), 0u);
  EXPECT_FALSE(call->outcomes.pop(200ms).has_value());
}

TEST_F(EngineNetTest, ARequestThatDiedWithTheRelayIsSentAgainWhenTheLinkIsBack) {
  EngineOptions options;
  options.resend_after = 0s;  // only the link loss may bring it back
  Node& a = start_node(kEdA, options);
  auto call = std::make_shared<Call>();
  // kWsPlain is offline: the request waits in the relay's memory mailbox.
  const std::string uid = send(a, make_request({kWsPlain}, "calc.echo", "survivor"), call);
  ASSERT_EQ(rmb::test::poll_until([&] { return a.engine->stats().request_envelopes_out.value(); },
                                  [](uint64_t n) { return n >= 1; }, 20s),
            1u);
  restart_relay();  // SIGKILL: its mailbox is gone
  ASSERT_GE(rmb::test::poll_until(
                [&] {
                  auto status = a.links->status();
                  return a.links->any_connected() && status[0].reconnects >= 1 ? 1 : 0;
                },
                [](int up) { return up == 1; }, 30s),
            1);
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  auto request = ws->receive(20s);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->uid(), uid);
  EXPECT_EQ(request->plain(), "survivor");
  ASSERT_TRUE(ws->send(ws->response_to(*request, "back")).ok());
  auto outcome = call->outcomes.pop();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->data, "back");
  EXPECT_GE(a.engine->stats().resends.value(), 1u);
}

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

TEST_F(EngineNetTest, ARequestSentWhileTheRelaysRedisIsDownIsAnsweredOnceItIsBack) {
  // The relay's mailbox is in a Redis that goes away: the relay either holds the store
  // until Redis is back or answers "redis error" / "failed to route", a failure of this
  // attempt that the engine holds while it sends the request again (never an outcome).
  auto redis = rmb::test::RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  TearDown();
  start_network(twins_, {}, {"--redis", (*redis)->url()});
  Node& a = start_node(kEdA);
  auto ws = client(kWsPlain);
  ASSERT_TRUE(ws);
  (*redis)->kill();
  auto call = std::make_shared<Call>();
  const std::string uid = send(a, make_request({kWsPlain}, "calc.echo", "through", 30), call);
  ASSERT_GE(rmb::test::poll_until([&] { return a.engine->stats().request_envelopes_out.value(); },
                                  [](uint64_t n) { return n >= 1; }, 20s),
            1u);
  // Some time in the outage for the relay to fail the request (bounded; either way is fine).
  rmb::test::poll_until([&] { return a.engine->stats().relay_errors_held.value(); }, [](uint64_t n) { return n >= 1; },
                        3s);
  EXPECT_EQ(call->outcomes.size(), 0u);
  ASSERT_TRUE((*redis)->restart().ok());
  auto request = ws->receive(25s);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->uid(), uid);
  ASSERT_TRUE(ws->send(ws->response_to(*request, "made it")).ok());
  auto outcome = call->outcomes.pop(25s);
  ASSERT_TRUE(outcome.has_value());
  expect_response(*outcome, kWsPlain, "made it");
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
