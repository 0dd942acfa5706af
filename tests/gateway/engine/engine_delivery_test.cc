// Engines over a real rmb-relay: nothing lost, nothing twice (PROTOCOL.md §9): repeats answered from the reply cache,
// resends on the timer and after a lost link, replies for no request of this process, a relay whose Redis is down.
#include "tests/gateway/engine/engine_net_fixture.h"

namespace rmb::gateway::test {
namespace {

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

}  // namespace
}  // namespace rmb::gateway::test
