// Our signatures, digests, shared keys and ciphers against independent implementations
// (PyNaCl and OpenSSL-backed `cryptography` for ed25519, hashlib for MD5, `cryptography`
// for secp256k1 ECDH and AES-GCM), in both directions.
#include "core/protocol/e2e/cipher.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/envelope/challenge.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/identity/ed25519.h"
#include "core/protocol/jwt/jwt.h"
#include "gtest/gtest.h"
#include "tests/interop/crypto/oracle.h"

namespace rmb::core {
namespace {

using interop::ask_oracle;
using nlohmann::json;

constexpr char kSeedHex[] = "b724b4b8286f9e0f36ae3240646c9c3b1aacc99ffc743f5c6c69f835aae369bc";

Seed seed() { return *from_hex_fixed<32>(kSeedHex); }

// Envelopes covering every challenge field and payload sizes up to 64 KiB.
std::vector<rmb::Envelope> sample_envelopes() {
  std::vector<rmb::Envelope> out;
  for (size_t size : {0, 1, 64, 1024, 65536}) {
    rmb::Envelope env;
    env.set_uid("0b9f3c1e-5d2a-4c8e-9f10-" + std::to_string(size));
    env.set_timestamp(1732000000 + size);
    env.set_expiration(300);
    env.mutable_source()->set_twin(1171);
    env.mutable_destination()->set_twin(4242);
    env.mutable_destination()->set_connection("c1");
    if (size % 2 == 0) {
      env.mutable_request()->set_command("calc.sum");
    } else {
      env.mutable_error()->set_code(500);
      env.mutable_error()->set_message("other: x");
    }
    env.set_tags("fail-fast");
    env.set_schema("application/json");
    std::string payload(size, '\0');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 31 + 7);
    if (size % 1024 == 0) {
      env.set_cipher(payload);
    } else {
      env.set_plain(payload);
    }
    env.add_relays("relay.example.org");
    out.push_back(env);
  }
  return out;
}

TEST(InteropEd25519, OurEnvelopeSignaturesVerifyInPyNaClAndOpenSsl) {
  const Ed25519Signer signer(seed());
  std::vector<rmb::Envelope> envs = sample_envelopes();
  json requests = json::array();
  for (auto& env : envs) {
    sign_envelope(env, signer);
    const std::string& sig = env.signature();
    requests.push_back({{"op", "ed25519_verify"},
                        {"pub", to_hex(signer.account())},
                        {"msg", to_hex(challenge_digest(env))},
                        {"sig", to_hex(as_bytes(sig).subspan(1))}});
    requests.push_back({{"op", "md5"}, {"data", to_hex(as_bytes(challenge_bytes(env)))}});
  }
  // A control the oracle must reject, so a broken oracle cannot pass the test.
  json bad = requests[0];
  std::string sig_hex = bad["sig"];
  sig_hex[0] = sig_hex[0] == '0' ? '1' : '0';
  bad["sig"] = sig_hex;
  requests.push_back(bad);

  const json answers = ask_oracle(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < envs.size(); ++i) {
    EXPECT_TRUE(answers[2 * i]["nacl"].get<bool>()) << "envelope " << i;
    EXPECT_TRUE(answers[2 * i]["openssl"].get<bool>()) << "envelope " << i;
    EXPECT_EQ(answers[2 * i + 1]["md5"], to_hex(challenge_digest(envs[i]))) << "envelope " << i;
  }
  EXPECT_FALSE(answers.back()["nacl"].get<bool>());
  EXPECT_FALSE(answers.back()["openssl"].get<bool>());
}

TEST(InteropEd25519, PyNaClSignsOurDigestAndWeVerify) {
  std::vector<rmb::Envelope> envs = sample_envelopes();
  json requests = json::array();
  for (const auto& env : envs) {
    requests.push_back({{"op", "ed25519_sign"}, {"seed", kSeedHex}, {"msg", to_hex(challenge_digest(env))}});
  }
  const json answers = ask_oracle(requests);
  ASSERT_EQ(answers.size(), envs.size());
  const AccountId account = Ed25519Signer(seed()).account();
  for (size_t i = 0; i < envs.size(); ++i) {
    EXPECT_EQ(answers[i]["pub"], to_hex(account));
    EXPECT_TRUE(answers[i]["openssl_agrees"].get<bool>());
    auto sig = from_hex(answers[i]["sig"].get<std::string>());
    ASSERT_TRUE(sig.ok());
    std::string sig65(1, static_cast<char>(kEd25519Prefix));
    sig65.append(as_chars(*sig));
    envs[i].set_signature(sig65);
    EXPECT_TRUE(verify_envelope(envs[i], account).ok()) << "envelope " << i;
    // Deterministic RFC 8032: our own signature is the same bytes.
    rmb::Envelope ours = envs[i];
    sign_envelope(ours, Ed25519Signer(seed()));
    EXPECT_EQ(ours.signature(), sig65);
    // And a signature over another envelope's digest does not verify here.
    envs[i].set_uid(envs[i].uid() + "!");
    EXPECT_FALSE(verify_envelope(envs[i], account).ok());
  }
}

TEST(InteropJwt, TokenSignatureVerifiesInPyNaCl) {
  const Ed25519Signer signer(seed());
  const std::string token = mint_jwt(signer, 1171, std::string("sid-1"), 1732000000, 60);
  auto parsed = parse_jwt(token);
  ASSERT_TRUE(std::holds_alternative<ParsedJwt>(parsed));
  const ParsedJwt& jwt = std::get<ParsedJwt>(parsed);
  const json answers = ask_oracle(json::array({{{"op", "ed25519_verify"},
                                                {"pub", to_hex(signer.account())},
                                                {"msg", to_hex(as_bytes(jwt.signing_input))},
                                                {"sig", to_hex(ByteView(jwt.signature).subspan(1))}}}));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0]["nacl"].get<bool>());
  EXPECT_TRUE(answers[0]["openssl"].get<bool>());
}

TEST(InteropE2e, SharedKeyAndCiphersAgreeWithOpenSsl) {
  const Seed sk1 = *from_hex_fixed<32>("340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d");
  const Seed sk2 = seed();
  const E2eKey k1 = *E2eKey::from_seed(sk1);
  const E2eKey k2 = *E2eKey::from_seed(sk2);
  const SharedKey ours = *k1.shared_key(k2.public_key());

  std::string plain(4096 + 5, '\0');
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i ^ 0x5a);
  const Bytes cipher = e2e_encrypt(ours, as_bytes(plain));
  Bytes tampered = cipher;
  tampered[20] ^= 1;

  const json answers = ask_oracle(json::array({
      {{"op", "ecdh"}, {"sk", to_hex(sk1)}, {"pub", to_hex(k2.public_key())}},
      {{"op", "ecdh"}, {"sk", to_hex(sk2)}, {"pub", to_hex(k1.public_key())}},
      {{"op", "aesgcm_decrypt"}, {"key", to_hex(ours)}, {"payload", to_hex(cipher)}},
      {{"op", "aesgcm_decrypt"}, {"key", to_hex(ours)}, {"payload", to_hex(tampered)}},
      {{"op", "aesgcm_encrypt"},
       {"key", to_hex(ours)},
       {"nonce", "0f0e0d0c0b0a090807060504"},
       {"plain", to_hex(as_bytes(plain))}},
  }));
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(answers[0]["key"], to_hex(ours));
  EXPECT_EQ(answers[0]["own_pub"], to_hex(k1.public_key()));
  EXPECT_EQ(answers[1]["key"], to_hex(ours));
  EXPECT_EQ(answers[1]["own_pub"], to_hex(k2.public_key()));
  ASSERT_TRUE(answers[2]["ok"].get<bool>());
  EXPECT_EQ(answers[2]["plain"], to_hex(as_bytes(plain)));
  EXPECT_FALSE(answers[3]["ok"].get<bool>());

  auto theirs = from_hex(answers[4]["payload"].get<std::string>());
  ASSERT_TRUE(theirs.ok());
  auto decrypted = e2e_decrypt(ours, *theirs);
  ASSERT_TRUE(decrypted.ok());
  EXPECT_EQ(as_chars(*decrypted), plain);
  const std::array<uint8_t, kNonceSize> nonce = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4};
  EXPECT_EQ(e2e_encrypt_with_nonce(ours, as_bytes(plain), nonce), *theirs);
}

}  // namespace
}  // namespace rmb::core
