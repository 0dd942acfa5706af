// The four JSON shapes of PROTOCOL.md §8.4: byte-exact against the examples (key order,
// compact, null not omitted) and every malformed input an error naming the key.
#include "compat/shapes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rmb::compat {
namespace {

// §8.4 examples, with the illustrative "…" elisions replaced by plain text.
constexpr const char* kA =
    R"({"ver":1,"ref":"r1","cmd":"zos.system.version","exp":120,"dat":"e30=","tag":null,"dst":[55,56],"ret":"b1c1","shm":"application/json","now":1700000000})";
constexpr const char* kB =
    R"({"ver":1,"ref":"9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d","src":"7","cmd":"zos.system.version","exp":120,"dat":"e30=","tag":null,"ret":"msgbus.system.reply","shm":"application/json","now":1700000000})";
constexpr const char* kC =
    R"({"ver":1,"ref":"9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d","dat":"InYxLjAi","dst":"7","shm":"application/json","now":1700000005,"err":null})";
constexpr const char* kD =
    R"({"ver":1,"ref":"r1","dat":"InYxLjAi","src":"55","shm":"application/json","now":1700000005,"err":null})";

TEST(Shapes, OutgoingRequestExampleRoundTripsByteExact) {
  RequestParse p = parse_request(kA);
  ASSERT_TRUE(p.request) << p.error.message;
  const RequestJson& r = *p.request;
  EXPECT_EQ(r.ver, 1u);
  EXPECT_EQ(r.ref, "r1");
  EXPECT_EQ(r.cmd, "zos.system.version");
  EXPECT_EQ(r.exp, 120u);
  EXPECT_EQ(r.dat, "e30=");
  EXPECT_EQ(r.tag, std::nullopt);
  EXPECT_EQ(r.dst, (std::vector<uint32_t>{55, 56}));
  EXPECT_EQ(r.ret, "b1c1");
  EXPECT_EQ(r.shm, "application/json");
  EXPECT_EQ(r.now, 1700000000u);
  EXPECT_EQ(to_json(r), kA);
}

TEST(Shapes, IncomingRequestExampleByteExact) {
  IncomingRequestJson b;
  b.ref = "9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d";
  b.src = "7";
  b.cmd = "zos.system.version";
  b.exp = 120;
  b.dat = "e30=";
  b.shm = "application/json";
  b.now = 1700000000;
  EXPECT_EQ(to_json(b), kB);
  auto parsed = parse_incoming_request(kB);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(to_json(*parsed), kB);
  EXPECT_EQ(parsed->ret, "msgbus.system.reply");
}

TEST(Shapes, OutgoingResponseExampleRoundTripsByteExact) {
  auto c = parse_response(kC);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ref, "9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d");
  EXPECT_EQ(c->dat, "InYxLjAi");
  EXPECT_EQ(c->dst, "7");
  EXPECT_EQ(c->now, 1700000005u);
  EXPECT_FALSE(c->err);
  EXPECT_EQ(to_json(*c), kC);
}

TEST(Shapes, IncomingResponseExampleByteExact) {
  IncomingResponseJson d;
  d.ref = "r1";
  d.dat = "InYxLjAi";
  d.src = "55";
  d.shm = "application/json";
  d.now = 1700000005;
  EXPECT_EQ(to_json(d), kD);
  auto parsed = parse_incoming_response(kD);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(to_json(*parsed), kD);
}

TEST(Shapes, LocalErrorResponseHasEveryKeyWithNulls) {
  IncomingResponseJson d;
  d.err = ErrorJson{103, "unknown twin id '99'"};
  EXPECT_EQ(
      to_json(d),
      R"({"ver":1,"ref":null,"dat":"","src":"","shm":null,"now":0,"err":{"code":103,"message":"unknown twin id '99'"}})");
}

TEST(Shapes, ErrorResponseParses) {
  auto c = parse_response(
      R"({"ver":1,"ref":"u","dat":"","dst":"7:s1","shm":null,"now":0,"err":{"code":255,"message":"boom"}})");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->err);
  EXPECT_EQ(c->err->code, 255u);
  EXPECT_EQ(c->err->message, "boom");
}

TEST(Shapes, ToleratesExtraKeysNullRefAbsentOptionals) {
  // Go's `con`, Python's `err`, and keys other SDKs add; ref null; tag and shm absent.
  RequestParse p = parse_request(R"({"ver":1,"ref":null,"cmd":"c","exp":5,"dat":"","dst":[1],"ret":"q","now":0,)"
                                 R"("con":"sess","err":null,"uid":"x","src":"7","try":3,"sig":"ab","pxy":false})");
  ASSERT_TRUE(p.request) << p.error.message;
  EXPECT_EQ(p.request->ref, std::nullopt);
  EXPECT_EQ(p.request->tag, std::nullopt);
  EXPECT_EQ(p.request->shm, std::nullopt);
  // Written back, absent optionals are null, never omitted.
  EXPECT_EQ(to_json(*p.request),
            R"({"ver":1,"ref":null,"cmd":"c","exp":5,"dat":"","tag":null,"dst":[1],"ret":"q","shm":null,"now":0})");

  auto c = parse_response(R"({"ver":1,"dat":"","dst":"7","now":0,"extra":[1,2]})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ref, std::nullopt);
  EXPECT_FALSE(c->err);
}

TEST(Shapes, EscapesAndUnicodeAsSerde) {
  IncomingResponseJson d;
  d.ref = "a\"b\\c\n\x01/é";
  std::string json = to_json(d);
  EXPECT_NE(json.find(R"("ref":"a\"b\\c\n\u0001/é")"), std::string::npos) << json;
}

TEST(Shapes, InvalidUtf8IsReplacedNotThrown) {
  IncomingRequestJson b;
  b.cmd = "bad\xff";
  std::string json = to_json(b);
  EXPECT_NE(json.find("bad\xEF\xBF\xBD"), std::string::npos);
}

struct BadRequest {
  const char* json;
  const char* error_contains;
  bool ret_readable;
};

class MalformedRequest : public ::testing::TestWithParam<BadRequest> {};

TEST_P(MalformedRequest, IsAnErrorNamingTheProblem) {
  const BadRequest& c = GetParam();
  RequestParse p = parse_request(c.json);
  ASSERT_FALSE(p.request) << c.json;
  EXPECT_NE(p.error.message.find(c.error_contains), std::string::npos)
      << "message: " << p.error.message << " for " << c.json;
  EXPECT_EQ(p.error.ret.has_value(), c.ret_readable) << c.json;
  if (c.ret_readable) {
    EXPECT_EQ(*p.error.ret, "q");
  }
}

#define REQ(body) R"({"ver":1,"ref":"r","cmd":"c","exp":5,"dat":"","dst":[1],"ret":"q","now":0)" body "}"
INSTANTIATE_TEST_SUITE_P(
    Shapes, MalformedRequest,
    ::testing::Values(
        BadRequest{"", "invalid JSON", false}, BadRequest{"{", "invalid JSON", false},
        BadRequest{"not json", "invalid JSON", false}, BadRequest{"[1,2]", "not a JSON object", false},
        BadRequest{R"("text")", "not a JSON object", false}, BadRequest{"null", "not a JSON object", false},
        BadRequest{R"({"ret":"q"} trailing)", "invalid JSON", false},
        BadRequest{R"({"ref":"r","cmd":"c","exp":5,"dat":"","dst":[1],"ret":"q","now":0})", "missing key 'ver'", true},
        BadRequest{R"({"ver":1,"exp":5,"dat":"","dst":[1],"ret":"q","now":0})", "missing key 'cmd'", true},
        BadRequest{R"({"ver":1,"cmd":"c","dat":"","dst":[1],"ret":"q","now":0})", "missing key 'exp'", true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dst":[1],"ret":"q","now":0})", "missing key 'dat'", true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","ret":"q","now":0})", "missing key 'dst'", true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":[1],"now":0})", "missing key 'ret'", false},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":[1],"ret":"q"})", "missing key 'now'", true},
        BadRequest{R"({"ver":"1","cmd":"c","exp":5,"dat":"","dst":[1],"ret":"q","now":0})", "'ver' must be", true},
        BadRequest{R"({"ver":1,"cmd":7,"exp":5,"dat":"","dst":[1],"ret":"q","now":0})", "'cmd' must be a string", true},
        BadRequest{R"({"ver":1,"cmd":null,"exp":5,"dat":"","dst":[1],"ret":"q","now":0})", "'cmd' must be a string",
                   true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":"5","dat":"","dst":[1],"ret":"q","now":0})", "'exp' must be an unsigned",
                   true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":-5,"dat":"","dst":[1],"ret":"q","now":0})", "'exp' must be an unsigned",
                   true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5.5,"dat":"","dst":[1],"ret":"q","now":0})", "'exp' must be an unsigned",
                   true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":[],"dst":[1],"ret":"q","now":0})", "'dat' must be a string",
                   true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":55,"ret":"q","now":0})", "'dst' must be an array",
                   true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":["55"],"ret":"q","now":0})",
                   "'dst' must be an array of twin ids (u32)", true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":[-1],"ret":"q","now":0})", "(u32)", true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":[4294967296],"ret":"q","now":0})", "(u32)", true},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":[1],"ret":7,"now":0})", "'ret' must be a string",
                   false},
        BadRequest{R"({"ver":1,"cmd":"c","exp":5,"dat":"","dst":[1],"ret":"q","now":-1})", "'now' must be", true},
        BadRequest{REQ(R"(,"ref":5)"), "'ref' must be a string or null", true},
        BadRequest{REQ(R"(,"tag":{})"), "'tag' must be a string or null", true},
        BadRequest{REQ(R"(,"shm":true)"), "'shm' must be a string or null", true}));
#undef REQ

// nlohmann::json throws out_of_range, not parse_error, for a number beyond a double: any
// application could stop rmb-peer with one such request or reply on its queues (found by
// fuzz/fuzz_compat_shapes).
TEST(Shapes, NumberBeyondADoubleIsInvalidJsonNotAnException) {
  const std::string request = R"({"ver":1,"cmd":"c","exp":1e400,"dat":"","dst":[1],"ret":"q","now":0})";
  const std::string response = R"({"ver":1,"ref":"u","dat":"","dst":"7","now":-1e400})";
  RequestParse p = parse_request(request);
  ASSERT_FALSE(p.request);
  EXPECT_THAT(p.error.message, ::testing::HasSubstr("invalid JSON"));
  EXPECT_THAT(parse_response(response).status().message(), ::testing::HasSubstr("invalid JSON"));
  EXPECT_FALSE(parse_incoming_request(request).ok());
  EXPECT_FALSE(parse_incoming_response(response).ok());
}

TEST(Shapes, ParseErrorKeepsRefAndDestinationCountForTheAnswer) {
  RequestParse p =
      parse_request(R"({"ver":1,"ref":"r9","cmd":"c","exp":"x","dat":"","dst":[1,2,3],"ret":"q","now":0})");
  ASSERT_FALSE(p.request);
  EXPECT_EQ(p.error.ref, "r9");
  EXPECT_EQ(p.error.destinations, 3u);
}

TEST(Shapes, MalformedResponses) {
  const char* cases[] = {
      "",
      "[]",
      "{}",
      R"({"ver":1,"ref":"u","dst":"7","now":0})",                            // no dat
      R"({"ver":1,"ref":"u","dat":"","now":0})",                             // no dst
      R"({"ver":1,"ref":"u","dat":"","dst":7,"now":0})",                     // dst not a string
      R"({"ver":1,"ref":"u","dat":"","dst":"7"})",                           // no now
      R"({"ver":1,"ref":"u","dat":"","dst":"7","now":0,"err":"x"})",         // err not an object
      R"({"ver":1,"ref":"u","dat":"","dst":"7","now":0,"err":{"code":1}})",  // no message
      R"({"ver":1,"ref":"u","dat":"","dst":"7","now":0,"err":{"code":-1,"message":""}})",
      R"({"ver":1,"ref":"u","dat":"","dst":"7","now":0,"err":{"code":4294967296,"message":""}})",
  };
  for (const char* c : cases) EXPECT_FALSE(parse_response(c).ok()) << c;
}

}  // namespace
}  // namespace rmb::compat
