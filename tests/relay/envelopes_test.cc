#include "relay/envelopes.h"

#include <gtest/gtest.h>

namespace rmb::relay {
namespace {

TEST(ErrorEnvelope, FieldsPerProtocol) {
  rmb::Envelope env;
  ASSERT_TRUE(
      env.ParseFromString(error_envelope("uid-1", "message wrong source", SessionId{7, std::string("s")}, 1700000000)));
  EXPECT_EQ(env.uid(), "uid-1");
  EXPECT_EQ(env.timestamp(), 1700000000u);
  EXPECT_EQ(env.expiration(), 300u);
  ASSERT_TRUE(env.has_error());
  EXPECT_EQ(env.error().code(), 0u);
  EXPECT_EQ(env.error().message(), "message wrong source");
  EXPECT_FALSE(env.has_source());
  EXPECT_EQ(env.destination().twin(), 7u);
  EXPECT_EQ(env.destination().connection(), "s");
  EXPECT_FALSE(env.has_signature());
  EXPECT_FALSE(env.has_tags());
  EXPECT_FALSE(env.has_schema());
  EXPECT_EQ(env.payload_case(), rmb::Envelope::PAYLOAD_NOT_SET);
}

TEST(ErrorEnvelope, ExactBytes) {
  // uid "u", timestamp 1, expiration 300, destination {twin 7}, error {code 0, "x"}:
  // 0a 01 75 | 18 01 | 20 ac 02 | 32 02 08 07 | 62 03 12 01 78
  const std::string expected("\x0a\x01u\x18\x01\x20\xac\x02\x32\x02\x08\x07\x62\x03\x12\x01x", 17);
  EXPECT_EQ(error_envelope("u", "x", SessionId{7, std::nullopt}, 1), expected);
}

TEST(ErrorEnvelope, FederationFailureHasNoDestination) {
  rmb::Envelope env;
  ASSERT_TRUE(env.ParseFromString(error_envelope("u", "message has expired", std::nullopt, 5)));
  EXPECT_FALSE(env.has_destination());
}

TEST(PingToPong, SwapsAndAppendsHelloWorld) {
  rmb::Envelope env;
  env.set_uid("p");
  env.mutable_source()->set_twin(7);
  env.mutable_source()->set_connection("c");
  env.mutable_destination();  // TS sends an empty destination
  env.mutable_ping();
  env.set_signature(std::string(65, 'e'));
  ping_to_pong(env);
  EXPECT_TRUE(env.has_pong());
  EXPECT_EQ(env.destination().twin(), 7u);
  EXPECT_EQ(env.destination().connection(), "c");
  EXPECT_TRUE(env.has_source());
  EXPECT_EQ(env.source().twin(), 0u);
  EXPECT_EQ(env.plain(), "hello world");
  EXPECT_EQ(env.signature(), std::string(65, 'e'));  // kept, now invalid
}

TEST(PingToPong, KeepsPlainDropsCipher) {
  rmb::Envelope plain;
  plain.mutable_ping();
  plain.set_plain("abc ");
  ping_to_pong(plain);
  EXPECT_EQ(plain.plain(), "abc hello world");
  rmb::Envelope cipher;
  cipher.mutable_ping();
  cipher.set_cipher("secret");
  ping_to_pong(cipher);
  EXPECT_EQ(cipher.plain(), "hello world");
  EXPECT_FALSE(cipher.has_cipher());
}

TEST(Addresses, ExactMatch) {
  rmb::Address a;
  a.set_twin(7);
  EXPECT_TRUE(address_is(a, SessionId{7, std::nullopt}));
  EXPECT_FALSE(address_is(a, SessionId{7, std::string("")}));
  a.set_connection("");
  EXPECT_TRUE(address_is(a, SessionId{7, std::string("")}));
  EXPECT_FALSE(address_is(a, SessionId{7, std::nullopt}));
  EXPECT_EQ(session_of(a), (SessionId{7, std::string("")}));
}

}  // namespace
}  // namespace rmb::relay
