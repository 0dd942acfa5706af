#include "core/protocol/identity/ss58.h"

#include <gtest/gtest.h>

#include "core/util/base58.h"
#include "tests/core/protocol/identity_vectors.h"

namespace rmb::core {
namespace {

std::string ss58_error(std::string_view address, uint16_t prefix = kTfchainSs58Prefix) {
  auto r = ss58_decode(address, prefix);
  EXPECT_FALSE(r.ok()) << address;
  return std::string(r.status().message());
}

TEST(Base58, BitcoinReferenceVectors) {
  struct V {
    std::string hex, b58;
  };
  const V vectors[] = {
      {"", ""},
      {"61", "2g"},
      {"626262", "a3gV"},
      {"636363", "aPEr"},
      {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
      {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
      {"516b6fcd0f", "ABnLTmg"},
      {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
      {"572e4794", "3EFU7m"},
      {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
      {"10c8511e", "Rt5zm"},
      {"00000000000000000000", "1111111111"},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.b58);
    auto bytes = from_hex(v.hex);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(base58_encode(*bytes), v.b58);
    auto back = base58_decode(v.b58);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(to_hex(*back), v.hex);
  }
}

TEST(Base58, BadCharacterIsNamed) {
  for (char c : {'0', 'O', 'I', 'l', '+', '/'}) {
    auto r = base58_decode(std::string("abc") + c + "def");
    ASSERT_FALSE(r.ok()) << c;
    EXPECT_EQ(std::string(r.status().message()), std::string("invalid base58 character '") + c + "' at position 4");
  }
  auto r = base58_decode("ab\x01");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()), "invalid base58 character byte 0x01 at position 3");
}

TEST(Ss58, BadChecksum) {
  // Last character of Alice sr25519 changed.
  EXPECT_EQ(ss58_error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"), "invalid SS58 address: checksum mismatch");
  // A character in the account part changed.
  EXPECT_EQ(ss58_error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKuTQY"), "invalid SS58 address: checksum mismatch");
}

TEST(Ss58, BadCharacter) {
  EXPECT_EQ(ss58_error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0Y"),
            "invalid SS58 address: invalid base58 character '0' at position 47");
}

TEST(Ss58, BadLength) {
  EXPECT_NE(ss58_error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ").find("it decodes to"), std::string::npos);
  EXPECT_NE(ss58_error("").find("empty"), std::string::npos);
  EXPECT_NE(ss58_error(std::string(500, 'z')).find("too long"), std::string::npos);
  EXPECT_NE(ss58_error("1").find("it decodes to 1 bytes, expected 35"), std::string::npos);
}

TEST(Ss58, WrongPrefix) {
  auto alice = from_hex_fixed<32>("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  ASSERT_TRUE(alice.ok());
  const std::string polkadot = ss58_encode(*alice, 0);
  EXPECT_EQ(polkadot, "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5");  // Alice on Polkadot
  EXPECT_EQ(ss58_error(polkadot), "invalid SS58 address: network prefix 0, expected 42");
  auto decoded = ss58_decode(polkadot, 0);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, *alice);
  EXPECT_EQ(ss58_error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", 2),
            "invalid SS58 address: network prefix 42, expected 2");
}

TEST(Ss58, TwoBytePrefixesRoundTrip) {
  AccountId account{};
  for (size_t i = 0; i < account.size(); ++i) account[i] = static_cast<uint8_t>(i * 7);
  for (uint16_t prefix : {0, 42, 63, 64, 255, 256, 1000, 16383}) {
    const std::string address = ss58_encode(account, prefix);
    auto raw = base58_decode(address);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->size(), prefix < 64 ? 35u : 36u) << prefix;
    if (prefix >= 64) {
      EXPECT_EQ((*raw)[0] & 0xc0, 0x40) << prefix;
    }
    auto back = ss58_decode(address, prefix);
    ASSERT_TRUE(back.ok()) << prefix << ": " << back.status();
    EXPECT_EQ(*back, account);
    if (prefix != 42) {
      EXPECT_FALSE(ss58_decode(address).ok());
    }
  }
}

TEST(Ss58, ParseAccountErrors) {
  EXPECT_FALSE(parse_account("0x1234").ok());
  EXPECT_NE(std::string(parse_account("0x1234").status().message()).find("64 hex digits"), std::string::npos);
  auto bad = parse_account("not-an-address");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("expected 64 hex digits or an SS58 address"), std::string::npos);
  // 64 characters that are not hex fall through to SS58 and fail there.
  EXPECT_FALSE(parse_account(std::string(64, 'z')).ok());
}

}  // namespace
}  // namespace rmb::core
