// "twin[:sid]" address text and the rmb-peer TTL rules (§8.5 stamp, clamp).
#include "core/protocol/envelope/address.h"
#include "core/protocol/envelope/ttl.h"
#include "gtest/gtest.h"

namespace rmb::core {
namespace {

TEST(Address, ParsesTwinAndSession) {
  auto a = parse_address("7");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->twin, 7u);
  EXPECT_FALSE(a->connection.has_value());

  a = parse_address("55:sess1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->twin, 55u);
  EXPECT_EQ(a->connection, "sess1");

  // The empty session is a session (Some("")), distinct from none.
  a = parse_address("7:");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->connection, "");

  // Only the first colon splits; the rest belongs to the sid.
  a = parse_address("4294967295:a:b");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->twin, 4294967295u);
  EXPECT_EQ(a->connection, "a:b");
}

TEST(Address, RejectsNonNumericTwins) {
  for (const char* bad : {"", ":x", "abc", "-1", "+7", "7x", " 7", "4294967296", "0x10"}) {
    auto a = parse_address(bad);
    EXPECT_FALSE(a.ok()) << bad;
    if (!a.ok()) {
      EXPECT_NE(a.status().message().find("twin id is not a u32"), absl::string_view::npos);
    }
  }
}

TEST(Address, FormatsAndRoundTrips) {
  EXPECT_EQ(format_address(7, std::nullopt), "7");
  EXPECT_EQ(format_address(7, std::string("s")), "7:s");
  EXPECT_EQ(format_address(7, std::string("")), "7:");

  rmb::Address address;
  set_address(&address, AddressText{55, std::string("x")});
  EXPECT_EQ(address.twin(), 55u);
  EXPECT_EQ(format_address(address), "55:x");
  set_address(&address, AddressText{9, std::nullopt});
  EXPECT_FALSE(address.has_connection());
  EXPECT_EQ(format_address(address), "9");
  for (const char* text : {"0", "1:2", "3:", "12:abc:def"}) {
    auto parsed = parse_address(text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(format_address(parsed->twin, parsed->connection), text);
  }
}

TEST(Ttl, StampZeroOrFutureTimestampBecomesNow) {
  rmb::Envelope env;
  env.set_expiration(120);
  stamp(env, 1000);
  EXPECT_EQ(env.timestamp(), 1000u);
  EXPECT_EQ(env.expiration(), 120u);

  env.set_timestamp(5000);
  stamp(env, 1000);
  EXPECT_EQ(env.timestamp(), 1000u);
  EXPECT_EQ(env.expiration(), 120u);
}

TEST(Ttl, StampOldTimestampShrinksExpiration) {
  rmb::Envelope env;
  env.set_timestamp(900);
  env.set_expiration(120);
  stamp(env, 1000);
  EXPECT_EQ(env.timestamp(), 1000u);
  EXPECT_EQ(env.expiration(), 20u);

  env.set_timestamp(500);
  env.set_expiration(120);
  stamp(env, 1000);
  EXPECT_EQ(env.expiration(), 0u);
  EXPECT_TRUE(is_expired(env, 1000));
}

TEST(Ttl, RemainingAndExpiry) {
  rmb::Envelope env;
  env.set_timestamp(1000);
  env.set_expiration(60);
  EXPECT_EQ(ttl_remaining(env, 1000), 60);
  EXPECT_EQ(ttl_remaining(env, 1059), 1);
  EXPECT_FALSE(is_expired(env, 1059));
  EXPECT_EQ(ttl_remaining(env, 1060), 0);
  EXPECT_TRUE(is_expired(env, 1060));
  EXPECT_EQ(ttl_remaining(env, 1100), -40);
  // Wire values may be anything: no wrap-around.
  env.set_timestamp(UINT64_MAX);
  env.set_expiration(UINT64_MAX);
  EXPECT_EQ(ttl_remaining(env, 0), INT64_MAX);
  env.set_timestamp(0);
  env.set_expiration(0);
  EXPECT_EQ(ttl_remaining(env, UINT64_MAX), INT64_MIN);
}

TEST(Ttl, Clamp) {
  EXPECT_EQ(clamp_ttl(0), 300u);
  EXPECT_EQ(clamp_ttl(1), 1u);
  EXPECT_EQ(clamp_ttl(1800), 1800u);
  EXPECT_EQ(clamp_ttl(1801), 1800u);
  EXPECT_EQ(clamp_ttl(3600), 1800u);
  EXPECT_EQ(kDefaultTtl, 300u);
  EXPECT_EQ(kMaxTtl, 1800u);
}

}  // namespace
}  // namespace rmb::core
