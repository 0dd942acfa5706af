// JSON shapes <-> gateway front-door types, the stamp rule, the error answers, the
// backlog bytes (Appendix A) and the Redis URL forms the front door accepts.
#include "compat/translate.h"

#include <gtest/gtest.h>

#include <set>

#include "compat/backlog.h"
#include "compat/errors.h"
#include "compat/inflight.h"
#include "compat/redis_front_door.h"
#include "core/redis/redis_url.h"
#include "core/util/bytes.h"

namespace rmb::compat {
namespace {

constexpr uint64_t kNow = 1700000000;

RequestJson request() {
  RequestJson r;
  r.ref = "r1";
  r.cmd = "zos.system.version";
  r.exp = 120;
  r.dat = "e30=";
  r.dst = {55, 56};
  r.ret = "b1c1";
  r.shm = "application/json";
  r.tag = "t";
  return r;
}

gateway::RmbError error_of(const std::variant<PreparedRequest, gateway::RmbError>& v) {
  EXPECT_TRUE(std::holds_alternative<gateway::RmbError>(v));
  return std::holds_alternative<gateway::RmbError>(v) ? std::get<gateway::RmbError>(v) : gateway::RmbError{};
}

TEST(Translate, RequestFansOutWithDecodedPayload) {
  auto v = prepare_request(request(), kNow);
  ASSERT_TRUE(std::holds_alternative<PreparedRequest>(v));
  const auto& p = std::get<PreparedRequest>(v);
  ASSERT_EQ(p.request.destinations.size(), 2u);
  EXPECT_EQ(p.request.destinations[0].twin, 55u);
  EXPECT_FALSE(p.request.destinations[0].connection);
  EXPECT_EQ(p.request.destinations[1].twin, 56u);
  EXPECT_EQ(p.request.command, "zos.system.version");
  EXPECT_EQ(p.request.data, "{}");
  EXPECT_EQ(p.request.schema, "application/json");
  EXPECT_EQ(p.request.tags, "t");
  EXPECT_EQ(p.request.timestamp, kNow);
  EXPECT_EQ(p.request.expiration, 120u);
  EXPECT_EQ(p.ttl, 120);
}

TEST(Translate, StampRule) {
  RequestJson r = request();
  r.now = kNow - 20;  // 20 s old: 100 s left, timestamp moved to now
  auto p = std::get<PreparedRequest>(prepare_request(r, kNow));
  EXPECT_EQ(p.request.timestamp, kNow);
  EXPECT_EQ(p.request.expiration, 100u);
  r.now = kNow + 500;  // future: now, expiration unchanged
  p = std::get<PreparedRequest>(prepare_request(r, kNow));
  EXPECT_EQ(p.request.timestamp, kNow);
  EXPECT_EQ(p.request.expiration, 120u);
  r.exp = 3600;  // stamped first, then capped at 1800 (as rmb-peer clamps each copy)
  r.now = kNow - 1000;
  p = std::get<PreparedRequest>(prepare_request(r, kNow));
  EXPECT_EQ(p.request.expiration, 1800u);
  r.exp = 2000;
  p = std::get<PreparedRequest>(prepare_request(r, kNow));
  EXPECT_EQ(p.request.expiration, 1000u);
}

TEST(Translate, RequestsThatCannotBeSentGetErrors) {
  RequestJson r = request();
  r.exp = 0;
  EXPECT_EQ(error_of(prepare_request(r, kNow)).code, 102u);
  EXPECT_EQ(error_of(prepare_request(r, kNow)).message, "envelope validation error: message has expired");
  r.exp = 120;
  r.now = kNow - 120;
  EXPECT_EQ(error_of(prepare_request(r, kNow)).code, 102u);
  r.now = 1;  // very old, huge elapsed time: still just expired
  EXPECT_EQ(error_of(prepare_request(r, kNow)).code, 102u);

  r = request();
  for (const char* bad : {"e30", "e3=0", "!!!!", "e30=\n", "e30==", "ZQ=="}) {
    r.dat = bad;
    auto v = prepare_request(r, kNow);
    if (std::string(bad) == "ZQ==") {  // valid control: "e"
      EXPECT_TRUE(std::holds_alternative<PreparedRequest>(v));
      continue;
    }
    auto e = error_of(v);
    EXPECT_EQ(e.code, 500u) << bad;
    EXPECT_EQ(e.message, "other: invalid data base64 encoding") << bad;
  }
  r = request();
  r.dst.clear();
  EXPECT_EQ(error_of(prepare_request(r, kNow)).message, "other: request has no destination");
  r = request();
  r.cmd = "";
  EXPECT_EQ(error_of(prepare_request(r, kNow)).code, 500u);
}

TEST(Translate, ErrorAnswerShape) {
  EXPECT_EQ(
      to_json(error_to_json(bad_base64_error(), std::string("r1"))),
      R"({"ver":1,"ref":"r1","dat":"","src":"","shm":null,"now":0,"err":{"code":500,"message":"other: invalid data base64 encoding"}})");
  EXPECT_EQ(
      to_json(error_to_json(invalid_request_error("missing key 'now'"), std::nullopt)),
      R"({"ver":1,"ref":null,"dat":"","src":"","shm":null,"now":0,"err":{"code":500,"message":"other: invalid request: missing key 'now'"}})");
}

TEST(Translate, OutcomesBecomeIncomingResponses) {
  gateway::Outcome o;
  o.uid = "u";
  o.destination = {55, std::nullopt};
  o.source = {55, std::string("s1")};
  o.origin = gateway::Outcome::Origin::kRemote;
  o.data = "\"v1.0\"";
  o.schema = "application/json";
  o.timestamp = 1700000005;
  auto d = outcome_to_json(o, std::string("r1"));
  ASSERT_TRUE(d);
  EXPECT_EQ(
      to_json(*d),
      R"({"ver":1,"ref":"r1","dat":"InYxLjAi","src":"55:s1","shm":"application/json","now":1700000005,"err":null})");

  gateway::Outcome relay;
  relay.origin = gateway::Outcome::Origin::kRelay;
  relay.timestamp = 1700000001;
  relay.error = gateway::RmbError{0, "twin not found"};
  d = outcome_to_json(relay, std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_EQ(
      to_json(*d),
      R"({"ver":1,"ref":null,"dat":"","src":"0","shm":null,"now":1700000001,"err":{"code":0,"message":"twin not found"}})");

  gateway::Outcome local;
  local.origin = gateway::Outcome::Origin::kLocal;
  local.timestamp = 99;  // local answers always say 0
  local.error = gateway::RmbError{103, "unknown twin id '99'"};
  d = outcome_to_json(local, std::string("r"));
  ASSERT_TRUE(d);
  EXPECT_EQ(
      to_json(*d),
      R"({"ver":1,"ref":"r","dat":"","src":"","shm":null,"now":0,"err":{"code":103,"message":"unknown twin id '99'"}})");

  gateway::Outcome expired = local;
  expired.error.reset();
  expired.expired = true;
  EXPECT_FALSE(outcome_to_json(expired, std::string("r")));
}

TEST(Translate, EmptyPayloadIsEmptyBase64AndBinaryIsPadded) {
  gateway::Outcome o;
  o.source = {9, std::nullopt};
  auto d = outcome_to_json(o, std::nullopt);
  EXPECT_EQ(d->dat, "");
  o.data = std::string("\x00\xff\x01\x02", 4);
  d = outcome_to_json(o, std::nullopt);
  EXPECT_EQ(d->dat, "AP8BAg==");
}

TEST(Translate, IncomingRequestShape) {
  gateway::IncomingRequest in;
  in.uid = "9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d";
  in.source = {7, std::nullopt};
  in.command = "zos.system.version";
  in.data = "{}";
  in.schema = "application/json";
  in.timestamp = 1700000000;
  in.expiration = 120;
  EXPECT_EQ(
      to_json(incoming_to_json(in)),
      R"({"ver":1,"ref":"9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d","src":"7","cmd":"zos.system.version","exp":120,"dat":"e30=","tag":null,"ret":"msgbus.system.reply","shm":"application/json","now":1700000000})");
  in.source.connection = "sess1";
  in.tags = "fail-fast";
  auto b = incoming_to_json(in);
  EXPECT_EQ(b.src, "7:sess1");
  EXPECT_EQ(b.tag, "fail-fast");
}

TEST(Translate, Replies) {
  auto c = parse_response(
      R"({"ver":1,"ref":"9d5a","dat":"InYxLjAi","dst":"7:abc","shm":"application/json","now":1700000005,"err":null})");
  ASSERT_TRUE(c.ok());
  auto r = prepare_reply(*c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->uid, "9d5a");
  EXPECT_EQ(r->destination.twin, 7u);
  EXPECT_EQ(r->destination.connection, "abc");
  EXPECT_EQ(r->reply.data, "\"v1.0\"");
  EXPECT_EQ(r->reply.schema, "application/json");
  EXPECT_EQ(r->reply.timestamp, 1700000005u);
  EXPECT_FALSE(r->reply.error);
  EXPECT_FALSE(r->warning);

  // ref null -> uid "" (the caller drops it, as with rmb-rs); err set: dat ignored.
  c = parse_response(R"({"ver":1,"ref":null,"dat":"not base64!","dst":"7","now":0,"err":{"code":255,"message":"no"}})");
  ASSERT_TRUE(c.ok());
  r = prepare_reply(*c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uid, "");
  ASSERT_TRUE(r->reply.error);
  EXPECT_EQ(r->reply.error->code, 255u);
  EXPECT_EQ(r->reply.error->message, "no");
  EXPECT_FALSE(r->warning);

  // Bad base64 without err: the caller gets an error envelope instead.
  c = parse_response(R"({"ver":1,"ref":"u","dat":"abc","dst":"7","now":0})");
  r = prepare_reply(*c);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->reply.error);
  EXPECT_EQ(r->reply.error->code, 500u);
  EXPECT_TRUE(r->warning);

  for (const char* dst : {"", "x7", "-7", "+7", "4294967296", " 7"}) {
    ResponseJson bad;
    bad.dst = dst;
    EXPECT_FALSE(prepare_reply(bad).ok()) << dst;
  }
}

TEST(Backlog, AppendixAVector) {
  EXPECT_EQ(core::to_hex(core::as_bytes(encode_backlog("u", std::string("r"), "q", 300))), "0a01751201721a017128ac02");
  // ref null: the optional field is absent.
  EXPECT_EQ(core::to_hex(core::as_bytes(encode_backlog("u", std::nullopt, "q", 300))), "0a01751a017128ac02");
}

TEST(Backlog, TtlClamp) {
  EXPECT_EQ(backlog_ttl(0), 300u);
  EXPECT_EQ(backlog_ttl(-5), 300u);
  EXPECT_EQ(backlog_ttl(1), 1u);
  EXPECT_EQ(backlog_ttl(1800), 1800u);
  EXPECT_EQ(backlog_ttl(1801), 1800u);
}

TEST(Backlog, DecodesWhatItEncodesAndRefusesWhatIsNotOne) {
  auto e = decode_backlog(encode_backlog("u1", "ref", "ret-list", 300));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->uid, "u1");
  EXPECT_EQ(e->reference, "ref");
  EXPECT_EQ(e->reply_to, "ret-list");
  EXPECT_EQ(e->module, "");
  EXPECT_EQ(e->ttl, 300u);
  auto no_ref = decode_backlog(encode_backlog("u2", std::nullopt, "r", 10));
  ASSERT_TRUE(no_ref.ok());
  EXPECT_EQ(no_ref->reference, std::nullopt);
  EXPECT_FALSE(decode_backlog(std::string("\x0a\x05"
                                          "ab",
                                          4))
                   .ok());  // truncated
  EXPECT_FALSE(decode_backlog("\xff\xff\xff\xff").ok());
  EXPECT_FALSE(decode_backlog(encode_backlog("u3", "x", "", 10)).ok());  // nowhere to push
}

TEST(Translate, ReplyRoutedByItsBacklog) {
  gateway::Outcome o;
  o.uid = "u1";
  o.source = {55, std::nullopt};
  o.destination = o.source;
  o.data = "hi";
  o.timestamp = kNow;
  auto routed = route_by_backlog(o, encode_backlog("u1", "r9", "ret-9", 60));
  ASSERT_TRUE(routed.ok()) << routed.status();
  EXPECT_EQ(routed->list, "ret-9");
  EXPECT_EQ(routed->json, R"({"ver":1,"ref":"r9","dat":"aGk=","src":"55","shm":null,"now":1700000000,"err":null})");
  o.source = {0, std::nullopt};
  o.origin = gateway::Outcome::Origin::kRelay;
  o.error = gateway::RmbError{0, "no route"};
  routed = route_by_backlog(o, encode_backlog("u1", std::nullopt, "ret-9", 60));
  ASSERT_TRUE(routed.ok());
  EXPECT_EQ(
      routed->json,
      R"({"ver":1,"ref":null,"dat":"","src":"0","shm":null,"now":1700000000,"err":{"code":0,"message":"no route"}})");
  EXPECT_FALSE(route_by_backlog(o, "junk\xff").ok());
}

TEST(Inflight, RecordsAndAnsweredMarkers) {
  auto state =
      parse_inflight({{"a", "{req a}"}, {"a#55", "1"}, {"b", "{req b}"}, {"a#56", "1"}, {"gone#7", "1"}, {"x#y", "1"}});
  ASSERT_EQ(state.records.size(), 2u);
  EXPECT_EQ(state.records[0].uid, "a");
  EXPECT_EQ(state.records[0].request, "{req a}");
  EXPECT_EQ(state.records[0].answered, (std::set<uint32_t>{55, 56}));
  EXPECT_EQ(state.records[1].uid, "b");
  EXPECT_TRUE(state.records[1].answered.empty());
  EXPECT_EQ(state.stray_fields, (std::vector<std::string>{"x#y", "gone#7"}));
  EXPECT_EQ(state_keys("").inflight, "msgbus.system.inflight");
  EXPECT_EQ(state_keys("").local_processing, "msgbus.system.local.processing");
  EXPECT_EQ(state_keys("b").reply_processing, "msgbus.system.reply.processing.b");
}

TEST(RedisUrl, FormsTheFrontDoorAccepts) {
  auto u = core::parse_redis_url("redis://:pw@redis:6380/2");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "redis");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->password, "pw");
  EXPECT_FALSE(u->user);
  EXPECT_EQ(u->db, 2u);
  u = core::parse_redis_url("redis://alice:pw@localhost:6379");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->user, "alice");
  EXPECT_EQ(u->password, "pw");
  u = core::parse_redis_url("unix:///run/redis.sock?db=4");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->unix_path, "/run/redis.sock");
  EXPECT_EQ(u->db, 4u);
  u = core::parse_redis_url("redis://localhost");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 6379);
}

TEST(RedisUrl, BadUrlsAreClearErrorsWithoutThePassword) {
  for (const char* bad : {"", "localhost:6379", "http://h", "rediss://h", "redis://", "redis://h:0", "redis://h:70000",
                          "redis://h:x", "redis://h/abc", "redis://:secret@h:port", "unix://", "unix://relative",
                          "unix:///s?database=1", "unix:///s?db=x", "redis://[::1"}) {
    auto u = core::parse_redis_url(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_NE(std::string(u.status().message()).find("invalid redis url"), std::string::npos) << bad;
    EXPECT_EQ(std::string(u.status().message()).find("secret"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace rmb::compat
