// Appendix A end to end: our signatures equal the vectors byte for byte, the vector
// bytes parse and re-serialise identically, signatures verify, and broken input fails
// with the §8.9 reasons instead of crashing.
#include "core/protocol/envelope/challenge.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/identity/ed25519.h"
#include "rmb/peer.pb.h"
#include "tests/core/protocol/vectors.h"

namespace rmb::core {
namespace {

using namespace vectors;

struct Case {
  const EnvelopeVector* vector;
  rmb::Envelope (*build)();
};

const Case kCases[] = {{&kA, build_a}, {&kB, build_b}, {&kC, build_c}, {&kD, build_d}};

class EnvelopeVectors : public ::testing::Test {
 protected:
  Ed25519Signer signer_{hex_fixed<32>(kSeed)};
  AccountId account_ = hex_fixed<32>(kEdPub);
};

TEST_F(EnvelopeVectors, SignerIsTheVectorKey) { EXPECT_EQ(signer_.account(), account_); }

TEST_F(EnvelopeVectors, OurSignatureEqualsTheVector) {
  for (const auto& c : kCases) {
    rmb::Envelope env = c.build();
    sign_envelope(env, signer_);
    EXPECT_EQ(to_hex(as_bytes(env.signature())), c.vector->sig65) << c.vector->name;
  }
}

TEST_F(EnvelopeVectors, OurSignedEnvelopeSerialisesToTheVectorBytes) {
  // protobufjs wrote the vectors in ascending field order, which is also the order C++
  // serialises known fields in (signature 9 before schema 10 before payload 13/14).
  for (const auto& c : kCases) {
    rmb::Envelope env = c.build();
    sign_envelope(env, signer_);
    EXPECT_EQ(to_hex(as_bytes(env.SerializeAsString())), c.vector->envelope) << c.vector->name;
  }
  EXPECT_EQ(to_hex(as_bytes(build_e().SerializeAsString())), kEnvelopeE);
}

TEST_F(EnvelopeVectors, VectorBytesParseReserialiseAndVerify) {
  for (const auto& c : kCases) {
    rmb::Envelope parsed;
    const std::string wire = hex_str(c.vector->envelope);
    ASSERT_TRUE(parsed.ParseFromString(wire)) << c.vector->name;
    EXPECT_EQ(parsed.SerializeAsString(), wire) << c.vector->name;
    EXPECT_EQ(to_hex(challenge_digest(parsed)), c.vector->md5) << c.vector->name;
    EXPECT_TRUE(verify_envelope(parsed, account_).ok()) << c.vector->name;

    // Semantic equality with the envelope built from the listed fields.
    rmb::Envelope built = c.build();
    sign_envelope(built, signer_);
    EXPECT_EQ(built.SerializeAsString(), parsed.SerializeAsString()) << c.vector->name;
  }
}

TEST_F(EnvelopeVectors, VectorEParsesAsAnUnsignedPing) {
  rmb::Envelope parsed;
  ASSERT_TRUE(parsed.ParseFromString(hex_str(kEnvelopeE)));
  EXPECT_TRUE(parsed.has_ping());
  EXPECT_TRUE(parsed.has_destination());
  EXPECT_EQ(parsed.destination().twin(), 0u);
  EXPECT_EQ(parsed.source().connection(), "sess1");
  EXPECT_EQ(to_hex(challenge_digest(parsed)), kMd5E);
  EXPECT_EQ(verify_envelope(parsed, account_).message(), "message is not signed");
}

TEST_F(EnvelopeVectors, Sr25519SignatureVerifies) {
  rmb::Envelope env = build_a();
  env.set_signature(hex_str(kSrSigA));
  EXPECT_TRUE(verify_envelope(env, hex_fixed<32>(kSrPub)).ok());
  env.set_uid(env.uid() + "x");
  absl::Status st = verify_envelope(env, hex_fixed<32>(kSrPub));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("sr25519 signature verification failed"), absl::string_view::npos) << st.message();
}

TEST_F(EnvelopeVectors, TamperedFieldsFailVerification) {
  rmb::Envelope env;
  ASSERT_TRUE(env.ParseFromString(hex_str(kB.envelope)));
  auto expect_fails = [&](rmb::Envelope e, const char* what) {
    EXPECT_EQ(verify_envelope(e, account_).message(), "ed25519 signature verification failed") << what;
  };
  rmb::Envelope e = env;
  e.set_timestamp(e.timestamp() + 1);
  expect_fails(e, "timestamp");
  e = env;
  e.mutable_relays()->RemoveLast();
  expect_fails(e, "relays");
  e = env;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  e.clear_federation();
#pragma GCC diagnostic pop
  expect_fails(e, "federation");
  e = env;
  (*e.mutable_cipher())[20] ^= 1;
  expect_fails(e, "cipher");
  e = env;
  e.mutable_source()->clear_connection();
  expect_fails(e, "source connection");
  // The right envelope under another twin's key.
  EXPECT_FALSE(verify_envelope(env, hex_fixed<32>(kSrPub)).ok());
}

TEST_F(EnvelopeVectors, WrongLengthAndPrefixGiveReasons) {
  rmb::Envelope env = build_a();
  env.set_signature(hex_str(kA.sig65).substr(0, 64));
  EXPECT_EQ(verify_envelope(env, account_).message(), "invalid signature length, expected: 65, found: 64");
  env.set_signature("");
  EXPECT_EQ(verify_envelope(env, account_).message(), "invalid signature length, expected: 65, found: 0");
  std::string sig = hex_str(kA.sig65);
  sig[0] = 'x';
  env.set_signature(sig);
  EXPECT_EQ(verify_envelope(env, account_).message(), "invalid signature type (expected either sr25519 or ed25519)");
  env.clear_signature();
  EXPECT_EQ(verify_envelope(env, account_).message(), "message is not signed");
}

TEST_F(EnvelopeVectors, EveryTruncationOfBFailsToParseOrToVerify) {
  const std::string wire = hex_str(kB.envelope);
  size_t parsed_count = 0;
  for (size_t len = 0; len < wire.size(); ++len) {
    rmb::Envelope env;
    if (!env.ParseFromString(wire.substr(0, len))) continue;
    ++parsed_count;
    EXPECT_FALSE(verify_envelope(env, account_).ok()) << "prefix " << len;
  }
  // Prefixes ending on a field boundary do parse; make sure that path was exercised.
  EXPECT_GT(parsed_count, 5u);
}

TEST_F(EnvelopeVectors, GarbageDoesNotCrash) {
  // Each byte flipped in turn: parse may fail; when it parses, verification must not
  // pass unless the flip hit bytes the challenge ignores (none exist outside the
  // signature and tags/lengths, which change parsing).
  const std::string wire = hex_str(kA.envelope);
  for (size_t i = 0; i < wire.size(); ++i) {
    std::string bad = wire;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    rmb::Envelope env;
    if (!env.ParseFromString(bad)) continue;
    EXPECT_FALSE(verify_envelope(env, account_).ok()) << "flip at " << i;
  }
}

TEST(Backlog, AppendixAExample) {
  rmb::Backlog backlog;
  backlog.set_uid("u");
  backlog.set_reference("r");
  backlog.set_reply_to("q");
  backlog.set_module("");
  backlog.set_ttl(300);
  EXPECT_EQ(to_hex(as_bytes(backlog.SerializeAsString())), kBacklog);

  for (const char* wire : {kBacklog, kBacklogExplicitModule}) {
    rmb::Backlog parsed;
    ASSERT_TRUE(parsed.ParseFromString(hex_str(wire)));
    EXPECT_EQ(parsed.uid(), "u");
    EXPECT_TRUE(parsed.has_reference());
    EXPECT_EQ(parsed.reference(), "r");
    EXPECT_EQ(parsed.reply_to(), "q");
    EXPECT_EQ(parsed.module(), "");
    EXPECT_EQ(parsed.ttl(), 300u);
    EXPECT_EQ(to_hex(as_bytes(parsed.SerializeAsString())), kBacklog);
  }
}

}  // namespace
}  // namespace rmb::core
