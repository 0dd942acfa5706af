#include "core/directory/substrate/extrinsic.h"

#include <gtest/gtest.h>

#include "core/directory/substrate/scale.h"
#include "core/protocol/identity/ed25519.h"
#include "tests/core/directory/substrate/chain_vectors.h"

namespace rmb::core {
namespace {

using test::hex;
Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

constexpr char kNeckSeed[] = "aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce";
constexpr char kNeckEd25519[] = "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55";

ChainContext context() {
  ChainContext c;
  c.spec_version = 149;
  c.transaction_version = 2;
  for (size_t i = 0; i < 32; ++i) c.genesis_hash[i] = static_cast<uint8_t>(i);
  return c;
}

std::unique_ptr<Signer> neck_ed25519() { return *make_signer(KeyType::kEd25519, *from_hex_fixed<32>(kNeckSeed)); }

// PROTOCOL.md §10.4 computed call bytes.
TEST(UpdateTwinCall, ComputedVector) {
  const UpdateTwinCall call{text("r1.example.com_r2.example.com"), test::kNeckPk};
  const Bytes bytes = encode_update_twin_call(call);
  EXPECT_EQ(to_hex(bytes),
            "1912017472312e6578616d706c652e636f6d5f72322e6578616d706c652e636f6d01840351f2bca8c281fceb6f093f11aac40e"
            "bc40ad69434db1e9fb1a8d16fa6083be55");
  auto back = decode_update_twin_call(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, call);
}

TEST(UpdateTwinCall, NonesAndWrongCall) {
  EXPECT_EQ(to_hex(encode_update_twin_call({})), "19120000");
  auto wrong = decode_update_twin_call(hex("19110000"));  // create_twin
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("not TfgridModule.update_twin"), std::string::npos);
  EXPECT_FALSE(decode_update_twin_call(hex("1912000000")).ok());  // overlong
  EXPECT_FALSE(decode_update_twin_call(hex("191201")).ok());      // truncated
}

TEST(SigningPayload, LayoutAndHashingAbove256Bytes) {
  const ChainContext ctx = context();
  const Bytes call = encode_update_twin_call({text("relay.grid.tf"), test::kNeckPk});
  const Bytes payload = signing_payload(call, 5, 0, ctx);
  std::string genesis = to_hex(ctx.genesis_hash);
  EXPECT_EQ(to_hex(payload), to_hex(call) + "00" + "14" + "00" + "95000000" + "02000000" + genesis + genesis);

  // 256 bytes exactly: signed as is; 257: blake2b-256 of it.
  auto payload_with_relay = [&](size_t relay_len) {
    return signing_payload(encode_update_twin_call({Bytes(relay_len, 'a'), std::nullopt}), 0, 0, ctx);
  };
  // call = 2 + 1 + compact(len) + len + 1; extras = 1 + 1 + 1 + 4 + 4 + 32 + 32 = 75.
  const Bytes at_256 = payload_with_relay(256 - 75 - 4 - 2);  // compact(175) takes 2 bytes
  EXPECT_EQ(at_256.size(), 256u);
  const Bytes raw_257 = [&] {
    ScaleWriter w;
    w.raw(encode_update_twin_call({Bytes(256 - 75 - 4 - 2 + 1, 'a'), std::nullopt}));
    w.raw(
        hex("000000"
            "95000000"
            "02000000"));
    w.raw(ctx.genesis_hash);
    w.raw(ctx.genesis_hash);
    return w.take();
  }();
  ASSERT_EQ(raw_257.size(), 257u);
  const Hash256 h = blake2b_256(raw_257);
  EXPECT_EQ(payload_with_relay(256 - 75 - 4 - 2 + 1), Bytes(h.begin(), h.end()));
}

TEST(SignedExtrinsic, Ed25519LayoutSignatureAndRoundTrip) {
  const auto signer = neck_ed25519();
  const ChainContext ctx = context();
  const Bytes call = encode_update_twin_call({text("relay.grid.tf"), test::kNeckPk});
  const Bytes xt = build_signed_extrinsic(call, *signer, 300, 0, ctx);

  // compact(len) ‖ 84 ‖ 00 account ‖ 00 sig64 ‖ 00 era ‖ compact(300)=b104 ‖ 00 tip ‖ call
  ScaleReader r(xt, "xt");
  const uint64_t len = *r.compact("len");
  EXPECT_EQ(len, r.remaining());
  const std::string body = to_hex(ByteView(xt).subspan(r.position()));
  EXPECT_EQ(body.substr(0, 2 + 2 + 64 + 2), std::string("8400") + kNeckEd25519 + "00");
  EXPECT_EQ(body.substr(2 + 2 + 64 + 2 + 128), "00b10400" + to_hex(call));

  auto decoded = decode_signed_extrinsic(xt);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(to_hex(decoded->signer), kNeckEd25519);
  EXPECT_EQ(decoded->key_type, KeyType::kEd25519);
  EXPECT_EQ(decoded->nonce, 300u);
  EXPECT_EQ(decoded->tip, 0u);
  EXPECT_EQ(decoded->call, call);
  EXPECT_TRUE(ed25519_verify(decoded->signer, signing_payload(call, 300, 0, ctx), decoded->signature));
  // The signature commits to the nonce and to the chain.
  EXPECT_FALSE(ed25519_verify(decoded->signer, signing_payload(call, 301, 0, ctx), decoded->signature));
  ChainContext other = ctx;
  other.spec_version = 150;
  EXPECT_FALSE(ed25519_verify(decoded->signer, signing_payload(call, 300, 0, other), decoded->signature));
}

TEST(SignedExtrinsic, DecodeErrors) {
  const auto signer = neck_ed25519();
  const Bytes good = build_signed_extrinsic(encode_update_twin_call({}), *signer, 0, 0, context());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decode_signed_extrinsic(ByteView(good).first(n)).ok()) << n;
  }
  Bytes unsigned_xt = good;
  unsigned_xt[2] = 0x04;  // version byte after the 2-byte length
  auto st = decode_signed_extrinsic(unsigned_xt);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("expected 0x84"), std::string::npos) << st.status();
  Bytes ecdsa = good;
  ecdsa[2 + 1 + 1 + 32] = 0x02;
  st = decode_signed_extrinsic(ecdsa);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("signature type 2"), std::string::npos) << st.status();
  Bytes mortal = good;
  mortal[2 + 1 + 1 + 32 + 1 + 64] = 0x15;
  st = decode_signed_extrinsic(mortal);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("immortal"), std::string::npos) << st.status();
}

TEST(SignedExtrinsic, Sr25519SignatureTypeWhenAvailable) {
  auto signer = make_signer(KeyType::kSr25519, *from_hex_fixed<32>(kNeckSeed));
  if (!signer.ok()) GTEST_SKIP() << "sr25519 not in core yet: " << signer.status();
  const Bytes xt = build_signed_extrinsic(encode_update_twin_call({}), **signer, 0, 0, context());
  auto decoded = decode_signed_extrinsic(xt);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->key_type, KeyType::kSr25519);
  Bytes sig65{kSr25519Prefix};
  sig65.insert(sig65.end(), decoded->signature.begin(), decoded->signature.end());
  EXPECT_TRUE(verify_signature(decoded->signer, signing_payload(decoded->call, 0, 0, context()), sig65).ok());
}

}  // namespace
}  // namespace rmb::core
