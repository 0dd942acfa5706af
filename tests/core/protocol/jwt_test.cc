// Relay tokens (§4): byte-exact minting, the Appendix A tokens, TS/Go variants, and a
// distinct error kind with the relay's text for each way a token can be wrong.
#include "core/protocol/jwt/jwt.h"

#include "core/protocol/identity/ed25519.h"
#include "core/util/clock.h"
#include "tests/core/protocol/vectors.h"

namespace rmb::core {
namespace {

using namespace vectors;

constexpr uint64_t kIat = 1700000000;
constexpr uint64_t kBeforeExp = kIat + 100;

::testing::AssertionResult accepted(const std::optional<JwtError>& error) {
  if (!error) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "rejected: " << error->message;
}

class Jwt : public ::testing::Test {
 protected:
  // Builds a token from raw JSON texts, signed like rmb-peer does.
  std::string hand_token(std::string_view header, std::string_view claims) {
    std::string input = base64url(as_bytes(header)) + "." + base64url(as_bytes(claims));
    return input + "." + base64url(signer_.sign(as_bytes(input)));
  }
  ParsedJwt parse_ok(std::string_view token) {
    auto parsed = parse_jwt(token);
    if (auto* err = std::get_if<JwtError>(&parsed)) {
      ADD_FAILURE() << "parse failed: " << err->message;
      return {};
    }
    return std::get<ParsedJwt>(parsed);
  }
  JwtError parse_err(std::string_view token) {
    auto parsed = parse_jwt(token);
    if (!std::holds_alternative<JwtError>(parsed)) {
      ADD_FAILURE() << "parse unexpectedly succeeded: " << token;
      return {JwtErrorKind::kMalformed, ""};
    }
    return std::get<JwtError>(parsed);
  }

  Ed25519Signer signer_{hex_fixed<32>(kSeed)};
  AccountId account_ = hex_fixed<32>(kEdPub);
};

TEST_F(Jwt, MintsTheVectorsByteForByte) {
  EXPECT_EQ(mint_jwt(signer_, 7, std::nullopt, kIat, 300), kJwtNullSid);
  EXPECT_EQ(mint_jwt(signer_, 7, std::string("sess1"), kIat, 300), kJwtSess1);
  EXPECT_EQ(mint_jwt(signer_, 7, std::nullopt, kIat), kJwtNullSid);  // default ttl 300
}

TEST_F(Jwt, MintedJsonIsCompactAndOrdered) {
  const std::string token = mint_jwt(signer_, 42, std::string("a\"b"), 10, 5);
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  auto header = from_base64url(std::string_view(token).substr(0, dot1));
  auto claims = from_base64url(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1));
  ASSERT_TRUE(header.ok() && claims.ok());
  EXPECT_EQ(as_chars(*header), R"({"alg":"RS512"})");
  EXPECT_EQ(as_chars(*claims), R"({"sub":42,"sid":"a\"b","iat":10,"exp":15})");
  // 65-byte signature -> always 87 characters, 'Z' for the 'e' prefix.
  EXPECT_EQ(token.size() - dot2 - 1, 87u);
  EXPECT_EQ(token[dot2 + 1], 'Z');
}

TEST_F(Jwt, VectorsParseAndVerifyBeforeExpiry) {
  ParsedJwt a = parse_ok(kJwtNullSid);
  EXPECT_EQ(a.claims.twin, 7u);
  EXPECT_FALSE(a.claims.sid.has_value());
  EXPECT_EQ(a.claims.iat, kIat);
  EXPECT_EQ(a.claims.exp, kIat + 300);
  EXPECT_EQ(a.algorithm, "RS512");
  EXPECT_EQ(a.signature.size(), 65u);
  EXPECT_EQ(a.signing_input, std::string(kJwtNullSid).substr(0, std::string(kJwtNullSid).rfind('.')));
  EXPECT_TRUE(accepted(verify_jwt(a, account_, kBeforeExp)));

  ParsedJwt b = parse_ok(kJwtSess1);
  EXPECT_EQ(b.claims.sid, "sess1");
  EXPECT_TRUE(accepted(verify_jwt(b, account_, kBeforeExp)));
  // exp itself is still valid: only now > exp fails.
  EXPECT_TRUE(accepted(verify_jwt(b, account_, kIat + 300)));
}

TEST_F(Jwt, VectorsAreExpiredToday) {
  auto err = verify_jwt(parse_ok(kJwtNullSid), account_, unix_now());
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kExpired);
  EXPECT_EQ(err->message, "invalid jwt: jwt has expired");
  err = verify_jwt(parse_ok(kJwtNullSid), account_, kIat + 301);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kExpired);
}

TEST_F(Jwt, Sr25519TokenVerifies) {
  ParsedJwt sr = parse_ok(kJwtSr);
  EXPECT_EQ(sr.signature[0], kSr25519Prefix);
  EXPECT_TRUE(accepted(verify_jwt(sr, hex_fixed<32>(kSrPub), kBeforeExp)));
  // Under another account (the ed25519 key of the same seed) it is a bad signature.
  auto err = verify_jwt(sr, account_, kBeforeExp);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kBadSignature);
  EXPECT_NE(err->message.find("sr25519 signature verification failed"), std::string::npos) << err->message;
}

TEST_F(Jwt, WrongKeyIsBadSignature) {
  auto err = verify_jwt(parse_ok(kJwtNullSid), hex_fixed<32>(kSrPub), kBeforeExp);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kBadSignature);
  EXPECT_EQ(err->message.rfind("invalid jwt: jwt: Invalid signature", 0), 0u) << err->message;
}

TEST_F(Jwt, TsAndGoVariantsAreAccepted) {
  // TS: typ in the header, sid last.
  const std::string ts =
      hand_token(R"({"alg":"RS512","typ":"JWT"})", R"({"sub":7,"iat":1700000000,"exp":1700001000,"sid":"abc"})");
  ParsedJwt parsed = parse_ok(ts);
  EXPECT_EQ(parsed.claims.twin, 7u);
  EXPECT_EQ(parsed.claims.sid, "abc");
  EXPECT_EQ(parsed.claims.exp, 1700001000u);
  EXPECT_TRUE(accepted(verify_jwt(parsed, account_, kBeforeExp)));

  // Go: no sid at all, whitespace, extra claims and a kid are ignored.
  const std::string go = hand_token(R"({ "typ": "JWT", "alg": "RS512", "kid": "k1" })",
                                    R"({"exp": 1700000060, "iat": 1700000000, "sub": 9, "x": [1]})");
  parsed = parse_ok(go);
  EXPECT_EQ(parsed.claims.twin, 9u);
  EXPECT_FALSE(parsed.claims.sid.has_value());
  EXPECT_TRUE(accepted(verify_jwt(parsed, account_, kIat + 10)));

  // The empty sid is a session of its own.
  parsed = parse_ok(hand_token(R"({"alg":"RS512"})", R"({"sub":7,"sid":"","iat":1700000000,"exp":1700000300})"));
  EXPECT_EQ(parsed.claims.sid, "");
}

TEST_F(Jwt, ComponentCounts) {
  const std::string t = kJwtNullSid;
  const std::string two = t.substr(0, t.rfind('.'));
  JwtError e = parse_err(two);
  EXPECT_EQ(e.kind, JwtErrorKind::kMalformed);
  EXPECT_EQ(e.message, "invalid jwt: jwt: No signature component found in token string");
  e = parse_err(t + ".AAAA");
  EXPECT_EQ(e.kind, JwtErrorKind::kMalformed);
  EXPECT_EQ(e.message, "invalid jwt: jwt: Too many components found in token string");
  e = parse_err(t + ".a.b");
  EXPECT_EQ(e.message, "invalid jwt: jwt: Too many components found in token string");
  e = parse_err("justonepart");
  EXPECT_EQ(e.message, "invalid jwt: jwt: No claims component found in token string");
  e = parse_err("");
  EXPECT_EQ(e.kind, JwtErrorKind::kMalformed);
}

TEST_F(Jwt, BadBase64AndJson) {
  const std::string t = kJwtNullSid;
  const size_t d1 = t.find('.');
  const size_t d2 = t.find('.', d1 + 1);
  const std::string header = t.substr(0, d1);
  const std::string claims = t.substr(d1 + 1, d2 - d1 - 1);
  const std::string sig = t.substr(d2 + 1);

  for (const std::string& token : {"e!J." + claims + "." + sig,      // bad char in header
                                   header + ".eyJ=." + sig,          // padding is not allowed
                                   header + "." + claims + ".Z+/x",  // std alphabet in sig
                                   header + "." + claims + ".A"}) {  // impossible length
    JwtError e = parse_err(token);
    EXPECT_EQ(e.kind, JwtErrorKind::kMalformed) << token;
    EXPECT_EQ(e.message.rfind("invalid jwt: jwt: ", 0), 0u) << e.message;
  }
  for (const char* json : {"{", "not json", "[1,2]", "\"str\"", ""}) {
    JwtError e = parse_err(base64url(as_bytes(std::string_view(json))) + "." + claims + "." + sig);
    EXPECT_EQ(e.kind, JwtErrorKind::kMalformed) << json;
    e = parse_err(header + "." + base64url(as_bytes(std::string_view(json))) + "." + sig);
    EXPECT_EQ(e.kind, JwtErrorKind::kMalformed) << json;
  }
}

TEST_F(Jwt, MissingOrIllTypedClaims) {
  const char* header = R"({"alg":"RS512"})";
  struct Case {
    const char* claims;
    const char* needle;
  } cases[] = {
      {R"({"sid":null,"iat":1700000000,"exp":1700000300})", "missing field `sub`"},
      {R"({"sub":7,"exp":1700000300})", "missing field `iat`"},
      {R"({"sub":7,"iat":1700000000})", "missing field `exp`"},
      {R"({"sub":"7","iat":1700000000,"exp":1700000300})", "`sub`"},
      {R"({"sub":-7,"iat":1700000000,"exp":1700000300})", "`sub`"},
      {R"({"sub":7.5,"iat":1700000000,"exp":1700000300})", "`sub`"},
      {R"({"sub":4294967296,"iat":1700000000,"exp":1700000300})", "`sub`"},
      {R"({"sub":7,"iat":1700000000,"exp":null})", "`exp`"},
      {R"({"sub":7,"sid":5,"iat":1700000000,"exp":1700000300})", "`sid`"},
  };
  for (const auto& c : cases) {
    JwtError e = parse_err(hand_token(header, c.claims));
    EXPECT_EQ(e.kind, JwtErrorKind::kMalformed) << c.claims;
    EXPECT_NE(e.message.find(c.needle), std::string::npos) << e.message;
  }
  const char* claims = R"({"sub":7,"iat":1700000000,"exp":1700000300})";
  for (const char* bad_header :
       {R"({"typ":"JWT"})", R"({"alg":5})", R"({"alg":"RS512","typ":"JWS"})", R"({"alg":"RS512","cty":"text"})"}) {
    JwtError e = parse_err(hand_token(bad_header, claims));
    EXPECT_EQ(e.kind, JwtErrorKind::kMalformed) << bad_header;
  }
}

TEST_F(Jwt, OtherAlgorithmIsRejected) {
  const std::string token =
      hand_token(R"({"alg":"HS256"})", R"({"sub":7,"sid":null,"iat":1700000000,"exp":1700000300})");
  ParsedJwt parsed = parse_ok(token);
  auto err = verify_jwt(parsed, account_, kBeforeExp);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kBadAlgorithm);
  EXPECT_EQ(err->message, "invalid jwt: jwt: Expected algorithm type RS512 but found HS256");
}

TEST_F(Jwt, TamperedClaimsOrSignature) {
  // Claims re-encoded with another twin id but the original signature.
  const std::string t = kJwtNullSid;
  const size_t d1 = t.find('.');
  const size_t d2 = t.find('.', d1 + 1);
  const std::string forged_claims =
      base64url(as_bytes(std::string_view(R"({"sub":8,"sid":null,"iat":1700000000,"exp":1700000300})")));
  const std::string forged = t.substr(0, d1) + "." + forged_claims + t.substr(d2);
  auto err = verify_jwt(parse_ok(forged), account_, kBeforeExp);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kBadSignature);

  // A signature of the wrong length.
  ParsedJwt parsed = parse_ok(t);
  parsed.signature.pop_back();
  err = verify_jwt(parsed, account_, kBeforeExp);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kBadSignature);
  EXPECT_NE(err->message.find("expected: 65, found: 64"), std::string::npos);
}

TEST_F(Jwt, IatInTheFutureBeyondLeewayIsMalformed) {
  const std::string token = mint_jwt(signer_, 7, std::nullopt, kIat + 120, 300);
  ParsedJwt parsed = parse_ok(token);
  auto err = verify_jwt(parsed, account_, kIat, /*iat_leeway=*/60);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, JwtErrorKind::kMalformed);
  EXPECT_NE(err->message.find("future"), std::string::npos);
  // Within the leeway it passes.
  EXPECT_TRUE(accepted(verify_jwt(parsed, account_, kIat + 61, 60)));
}

TEST(JwtUnknownTwin, RelayText) {
  JwtError e = unknown_twin_error(1234);
  EXPECT_EQ(e.kind, JwtErrorKind::kUnknownTwin);
  EXPECT_EQ(e.message, "twin not found 1234");
}

}  // namespace
}  // namespace rmb::core
