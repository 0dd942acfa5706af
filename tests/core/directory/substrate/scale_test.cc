#include "core/directory/substrate/scale.h"

#include <gtest/gtest.h>
#include "tests/core/directory/substrate/chain_vectors.h"

namespace rmb::core {
namespace {

using test::hex;

constexpr char kAlice[] = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
// PROTOCOL.md §10.1 computed example.
constexpr char kTwin7[] =
    "07000000d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d013472656c61792e677269642e7466"
    "0001840351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55";

std::string compact_hex(uint64_t v) {
  ScaleWriter w;
  w.compact(v);
  return to_hex(w.data());
}

uint64_t decode_compact(std::string_view h) {
  const Bytes b = hex(h);
  ScaleReader r(b, "test");
  auto v = r.compact("value");
  EXPECT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(r.remaining(), 0u);
  return v.ok() ? *v : ~uint64_t{0};
}

TEST(Compact, AllFourModesKnownAnswers) {
  // parity-scale-codec's documented examples plus each mode's boundaries.
  const std::pair<uint64_t, const char*> cases[] = {
      {0, "00"},
      {1, "04"},
      {42, "a8"},
      {63, "fc"},
      {64, "0101"},
      {69, "1501"},
      {16383, "fdff"},
      {16384, "02000100"},
      {65535, "feff0300"},
      {(1u << 30) - 1, "feffffff"},
      {uint64_t{1} << 30, "0300000040"},
      {100000000000000, "0b00407a10f35a"},
      {UINT32_MAX, "03ffffffff"},
      {UINT64_MAX, "13ffffffffffffffff"},
  };
  for (const auto& [value, text] : cases) {
    EXPECT_EQ(compact_hex(value), text) << value;
    EXPECT_EQ(decode_compact(text), value) << text;
  }
}

TEST(Compact, RejectsNonCanonicalTruncatedAndOverflow) {
  for (const char* bad : {"0100", "0200000000", "0300000000", "07ffffffff00"}) {
    const Bytes b = hex(bad);
    ScaleReader r(b, "test");
    auto v = r.compact("n");
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find("non-canonical"), std::string::npos) << v.status();
  }
  for (const char* cut : {"", "01", "020000", "03ffff"}) {
    const Bytes b = hex(cut);
    ScaleReader r(b, "test");
    auto v = r.compact("n");
    ASSERT_FALSE(v.ok()) << cut;
    EXPECT_NE(v.status().message().find("truncated test: n"), std::string::npos) << v.status();
  }
  const Bytes nine = hex("17ffffffffffffffffff");  // 9 bytes: does not fit u64
  ScaleReader r(nine, "test");
  auto v = r.compact("n");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("overflows u64"), std::string::npos) << v.status();
}

TEST(FixedWidth, LittleEndian) {
  ScaleWriter w;
  w.u32(0x01020304);
  w.u64(0x1122334455667788);
  EXPECT_EQ(to_hex(w.data()), "040302018877665544332211");
  ScaleReader r(w.data(), "test");
  EXPECT_EQ(*r.u32("a"), 0x01020304u);
  EXPECT_EQ(*r.u64("b"), 0x1122334455667788u);
  EXPECT_TRUE(r.expect_end().ok());
  EXPECT_FALSE(r.u8("c").ok());
}

TEST(OptionBytes, NoneSomeAndBadTag) {
  ScaleWriter w;
  w.option_bytes(std::nullopt);
  w.option_bytes(Bytes{0xaa, 0xbb});
  EXPECT_EQ(to_hex(w.data()), "000108aabb");
  ScaleReader r(w.data(), "test");
  EXPECT_EQ(*r.option_bytes(10, "x"), std::nullopt);
  EXPECT_EQ(*r.option_bytes(10, "y"), (Bytes{0xaa, 0xbb}));
  const Bytes bad = hex("02");
  ScaleReader r2(bad, "test");
  auto v = r2.option_bytes(10, "relay");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("relay option tag is 2"), std::string::npos) << v.status();
  const Bytes big = hex("010c010203");  // 3 bytes where 2 are allowed
  ScaleReader r3(big, "test");
  auto v3 = r3.option_bytes(2, "pk");
  ASSERT_FALSE(v3.ok());
  EXPECT_NE(v3.status().message().find("pk is 3 bytes, at most 2"), std::string::npos) << v3.status();
}

TEST(ChainTwin, DecodesTheComputedExample) {
  auto t = decode_chain_twin(hex(kTwin7));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->id, 7u);
  EXPECT_EQ(to_hex(t->account), kAlice);
  ASSERT_TRUE(t->relay.has_value());
  EXPECT_EQ(std::string(t->relay->begin(), t->relay->end()), "relay.grid.tf");
  EXPECT_TRUE(t->entities.empty());
  ASSERT_TRUE(t->pk.has_value());
  EXPECT_EQ(to_hex(*t->pk), test::kNeckPkHex);

  const Twin twin = twin_from_chain(*t);
  EXPECT_EQ(twin.id, 7u);
  EXPECT_EQ(twin.relays, (std::set<std::string>{"relay.grid.tf"}));
  EXPECT_EQ(to_hex(*twin.pk), test::kNeckPkHex);
}

TEST(ChainTwin, EncodesTheComputedExamples) {
  ChainTwin t;
  t.id = 7;
  std::copy_n(hex(kAlice).begin(), 32, t.account.begin());
  const std::string relay = "relay.grid.tf";
  t.relay = Bytes(relay.begin(), relay.end());
  t.pk = test::kNeckPk;
  EXPECT_EQ(to_hex(encode_chain_twin(t)), kTwin7);

  ChainTwin minimal;
  minimal.id = 1;
  minimal.account = t.account;
  EXPECT_EQ(to_hex(encode_chain_twin(minimal)), std::string("01000000") + kAlice + "000000");
  auto back = decode_chain_twin(encode_chain_twin(minimal));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, minimal);
  EXPECT_TRUE(twin_from_chain(*back).relays.empty());
  EXPECT_FALSE(twin_from_chain(*back).pk.has_value());
}

TEST(ChainTwin, EntitiesRoundTrip) {
  ChainTwin t;
  t.id = 0xfffffffe;
  t.entities = {{1, Bytes(64, 0x11)}, {300, Bytes{}}};
  t.pk = Bytes(33, 0x02);
  auto back = decode_chain_twin(encode_chain_twin(t));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, t);
}

TEST(ChainTwin, EveryTruncationIsAClearError) {
  const Bytes full = hex(kTwin7);
  for (size_t n = 0; n < full.size(); ++n) {
    auto t = decode_chain_twin(ByteView(full).first(n));
    ASSERT_FALSE(t.ok()) << n;
    EXPECT_NE(t.status().message().find("truncated Twin"), std::string::npos) << t.status();
  }
}

TEST(ChainTwin, OverlongAndHostileInput) {
  Bytes longer = hex(kTwin7);
  longer.push_back(0);
  auto t = decode_chain_twin(longer);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("overlong Twin: 1 bytes left"), std::string::npos) << t.status();

  // An entity count far beyond the input must not allocate or loop.
  Bytes huge = hex(std::string("01000000") + kAlice + "00" + "13ffffffffffffffff");
  t = decode_chain_twin(huge);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("entities announced"), std::string::npos) << t.status();

  // A relay longer than the chain's bound.
  ScaleWriter w;
  w.u32(1);
  w.raw(AccountId{});
  w.option_bytes(Bytes(1025, 'a'));
  w.compact(0);
  w.option_bytes(std::nullopt);
  t = decode_chain_twin(w.data());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("relay is 1025 bytes, at most 1024"), std::string::npos) << t.status();
}

TEST(ChainTwin, RelaySetSplitsOnUnderscoreAndJoinsSorted) {
  ChainTwin c;
  const std::string relay = "r2.example.com_r1.example.com__";
  c.relay = Bytes(relay.begin(), relay.end());
  const Twin t = twin_from_chain(c);
  EXPECT_EQ(t.relays, (std::set<std::string>{"r1.example.com", "r2.example.com"}));
  auto joined = join_relays(t.relays);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(std::string(joined->begin(), joined->end()), "r1.example.com_r2.example.com");
  EXPECT_FALSE(join_relays({}).has_value());
}

TEST(TwinIdValue, U32Exactly) {
  EXPECT_EQ(*decode_twin_id(hex("37000000")), 55u);
  EXPECT_FALSE(decode_twin_id(hex("370000")).ok());
  EXPECT_FALSE(decode_twin_id(hex("3700000000")).ok());
}

}  // namespace
}  // namespace rmb::core
