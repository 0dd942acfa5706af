// Secret URIs (PROTOCOL.md §3.1): the §3.2 dev-URI vectors for both key types, junction
// encoding, hard/soft derivation and passwords. Rows marked "polkadot.js" were computed
// with @polkadot/util-crypto 12 (keyExtractSuri + keyFromPath), an independent
// implementation; tests/interop/sr25519 re-runs such derivations live.
#include <gtest/gtest.h>

#include <sodium.h>

#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/ss58.h"

namespace rmb::core {
namespace {

std::string account_hex(KeyType type, std::string_view uri) {
  auto signer = signer_from_uri(type, uri);
  if (!signer.ok()) return "error: " + std::string(signer.status().message());
  return to_hex((*signer)->account());
}

std::string account_ss58(KeyType type, std::string_view uri) {
  auto signer = signer_from_uri(type, uri);
  if (!signer.ok()) return "error: " + std::string(signer.status().message());
  return ss58_encode((*signer)->account());
}

TEST(SecretUri, DevAccountsFromProtocol) {
  // §3.2 "Dev URIs".
  EXPECT_EQ(account_hex(KeyType::kEd25519, "//Alice"),
            "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee");
  EXPECT_EQ(account_ss58(KeyType::kEd25519, "//Alice"), "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu");
  EXPECT_EQ(account_hex(KeyType::kSr25519, "//Alice"),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_EQ(account_ss58(KeyType::kSr25519, "//Alice"), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  EXPECT_EQ(account_hex(KeyType::kEd25519, "//Bob"),
            "d17c2d7823ebf260fd138f2d7e27d114c0145d968b5ff5006125f2414fadae69");
  EXPECT_EQ(account_ss58(KeyType::kEd25519, "//Bob"), "5GoNkf6WdbxCFnPdAnYYQyCjAKPJgLNxXwPjwTh6DGg6gN3E");
  EXPECT_EQ(account_hex(KeyType::kSr25519, "//Bob"),
            "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");
  EXPECT_EQ(account_ss58(KeyType::kSr25519, "//Bob"), "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty");
}

TEST(SecretUri, ExplicitDevPhraseEqualsDefault) {
  const std::string full = std::string(kDevPhrase) + "//Alice";
  EXPECT_EQ(account_hex(KeyType::kSr25519, full), account_hex(KeyType::kSr25519, "//Alice"));
  EXPECT_EQ(account_hex(KeyType::kEd25519, full), account_hex(KeyType::kEd25519, "//Alice"));
  // Surrounding whitespace (a secret file's newline) is ignored.
  EXPECT_EQ(account_hex(KeyType::kSr25519, "  //Alice\n"), account_hex(KeyType::kSr25519, "//Alice"));
  // The bare dev phrase is the §3.2 dev row.
  EXPECT_EQ(account_hex(KeyType::kSr25519, kDevPhrase),
            "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a");
  EXPECT_EQ(account_hex(KeyType::kEd25519, kDevPhrase),
            "345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef");
}

struct UriVector {
  const char* uri;
  const char* sr25519;
  const char* ed25519;  // nullptr: ed25519 refuses the URI (soft junction)
};

// polkadot.js
const UriVector kUris[] = {
    {"//Alice/soft", "02cfd83074aefc9955af4034d19b3780d47a52e158ababec8ec012b2295f1c5b", nullptr},
    {"/soft", "84aedc0aba19f398f70dbcbc94b318e1e8d4eab5854e4d8de569bc4890afa45e", nullptr},
    {"//Alice//stash", "be5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f",
     "451781cd0c5504504f69ceec484cc66e4c22a2b6a9d20fb1a426d91ad074a2a8"},
    {"//0", "2afba9278e30ccf6a6ceb3a8b6e336b70068f045c666f2e7f4f9cc5f47db8972",
     "ffe0b81700cedadde9debaf7e61292d80581d4a37896055ba25f491b96b25ee6"},
    {"/1/2", "827d27d99217a0f5442091850baa73740d4ade0b65cb0e10265150397b9e8564", nullptr},
    {"//Alice///pw", "12d0a764fee8ee7a262c3294818ae4c0429832cdf4a899f9d1f2adb0c29aca39",
     "0837834cc62520d9f3a48cd0eeaf42e500740c55ec81efe8966bd42cc3ec2299"},
    {"///pw", "f059637e84952f13fb7cdc6a646b09692f9bc23cc17eea2055b62ecc478f0e13",
     "232e40fb55f2f77a66ae62c0522c37bbee84dbae0d7a172e47c1cfcad00535cc"},
    {"neck stage box cup core magic produce exercise happy rely vocal then///secret",
     "7eb08732f3453a3a4a601a06604f5e072ad45c33b0a2591463e617187cae872c",
     "3422f27ec44f5ca22a2e1ec2cc066aeb2166fbcd769849eb884b7d07a0850fe9"},
    {"neck stage box cup core magic produce exercise happy rely vocal then//x/y",
     "5a096384ba81f8b195b5242a1d749ced14ee4e0cc3b1f500a088ed0177c3674f", nullptr},
    {"0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d//hard/soft",
     "b4a855be0b03c8df46985ae9d442cc7dca0b480e212c65018ce4088bcdce4a61", nullptr},
    {"//a-junction-name-that-is-longer-than-thirty-two-bytes",
     "c4d1707f14ee2e101bf7dc45d1e08f7c390dac84438d5d3d2fafb29ebcda695d",
     "8f03a8241e11491ca5c5fa070d84c7e56fd254bc94dc2d9019a9c33496df39ec"},
};

TEST(SecretUri, DerivationsMatchPolkadotJs) {
  for (const auto& v : kUris) {
    SCOPED_TRACE(v.uri);
    EXPECT_EQ(account_hex(KeyType::kSr25519, v.uri), v.sr25519);
    if (v.ed25519) {
      EXPECT_EQ(account_hex(KeyType::kEd25519, v.uri), v.ed25519);
    } else {
      auto signer = signer_from_uri(KeyType::kEd25519, v.uri);
      ASSERT_FALSE(signer.ok());
      EXPECT_NE(signer.status().message().find("ed25519 supports only hard (//) derivation"), std::string_view::npos)
          << signer.status();
    }
  }
}

TEST(SecretUri, SoftDerivedKeySigns) {
  auto signer = signer_from_uri(KeyType::kSr25519, "//Alice/soft");
  ASSERT_TRUE(signer.ok());
  const auto sig = (*signer)->sign(as_bytes("payload"));
  EXPECT_TRUE(verify_signature((*signer)->account(), as_bytes("payload"), sig).ok());
}

TEST(SecretUri, JunctionChainCodes) {
  // Same chain codes as polkadot.js keyExtractPath for these junctions.
  EXPECT_EQ(to_hex(derive_junction("Alice", true).chain_code),
            "14416c6963650000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(to_hex(derive_junction("soft", false).chain_code),
            "10736f6674000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(to_hex(derive_junction("1", false).chain_code),
            "0100000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(to_hex(derive_junction("18446744073709551615", false).chain_code),
            "ffffffffffffffff000000000000000000000000000000000000000000000000");
  // Past u64 sp_core falls back to the string encoding (polkadot.js would use a 256-bit
  // number; rmb-peer is sp_core, so we follow it).
  const std::string big = "18446744073709551616";
  Bytes enc{static_cast<uint8_t>(big.size() << 2)};
  enc.insert(enc.end(), big.begin(), big.end());
  std::array<uint8_t, 32> expect{};
  std::copy(enc.begin(), enc.end(), expect.begin());
  EXPECT_EQ(derive_junction(big, false).chain_code, expect);
  // Longer than 32 bytes once encoded: blake2b-256 of the encoding.
  const std::string long_name(40, 'a');
  Bytes long_enc{static_cast<uint8_t>(40 << 2)};
  long_enc.insert(long_enc.end(), long_name.begin(), long_name.end());
  std::array<uint8_t, 32> hashed{};
  crypto_generichash(hashed.data(), hashed.size(), long_enc.data(), long_enc.size(), nullptr, 0);
  EXPECT_EQ(derive_junction(long_name, true).chain_code, hashed);
  // 31 bytes of text + 1 prefix byte = 32: padded, not hashed.
  EXPECT_EQ(derive_junction(std::string(31, 'b'), true).chain_code[0], 31 << 2);
  // 64-byte text: two-byte compact prefix ((64 << 2) | 1), then hashed.
  const std::string sixty_four(64, 'c');
  Bytes enc64{static_cast<uint8_t>(((64 << 2) | 1) & 0xff), static_cast<uint8_t>(((64 << 2) | 1) >> 8)};
  enc64.insert(enc64.end(), sixty_four.begin(), sixty_four.end());
  crypto_generichash(hashed.data(), hashed.size(), enc64.data(), enc64.size(), nullptr, 0);
  EXPECT_EQ(derive_junction(sixty_four, false).chain_code, hashed);
}

TEST(SecretUri, ParseSplitsPhrasePathPassword) {
  auto uri = parse_secret_uri("word word//a/b//c///pass/with//slashes");
  ASSERT_TRUE(uri.ok()) << uri.status();
  EXPECT_EQ(uri->phrase, "word word");
  ASSERT_EQ(uri->path.size(), 3u);
  EXPECT_TRUE(uri->path[0].hard);
  EXPECT_FALSE(uri->path[1].hard);
  EXPECT_TRUE(uri->path[2].hard);
  ASSERT_TRUE(uri->password.has_value());
  EXPECT_EQ(*uri->password, "pass/with//slashes");

  auto dev = parse_secret_uri("//Alice");
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->phrase, kDevPhrase);
  EXPECT_FALSE(dev->password.has_value());

  auto empty_pw = parse_secret_uri("//Alice///");
  ASSERT_TRUE(empty_pw.ok());
  EXPECT_EQ(empty_pw->password, std::optional<std::string>(""));
}

TEST(SecretUri, PasswordIgnoredForHexSeedAsSpCore) {
  const char* hex = "0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d";
  EXPECT_EQ(account_hex(KeyType::kSr25519, std::string(hex) + "///pw"),
            "6c64c96b606531bb8f225488ec5bf6f53b05b729b9f9859d56501d92be9bf378");
  EXPECT_EQ(account_hex(KeyType::kEd25519, std::string(hex) + "///pw"),
            "922b07df6a39450574ce91295b17e1be17a5c67c1975226d137647bcf8cf8045");
}

TEST(SecretUri, BadInputIsAClearError) {
  struct Case {
    const char* uri;
    const char* needle;
  };
  const Case cases[] = {
      {"", "empty"},
      {"   ", "empty"},
      {"//", "empty junction"},
      {"//Alice/", "empty junction"},
      {"//Alice//", "empty junction"},
      {"neck-stage//x", "not a letter, digit or space"},
      {"neck stage box//x", "12"},  // wrong word count from the mnemonic parser
      {"0x1234//x", "32 bytes"},
      {"0xzz//x", "hex digit"},
  };
  for (const auto& c : cases) {
    for (KeyType type : {KeyType::kSr25519, KeyType::kEd25519}) {
      auto signer = signer_from_uri(type, c.uri);
      ASSERT_FALSE(signer.ok()) << c.uri;
      EXPECT_NE(signer.status().message().find(c.needle), std::string_view::npos)
          << c.uri << " -> " << signer.status().message();
    }
  }
}

TEST(SecretUri, ArbitraryInputNeverCrashes) {
  // Strings built from the URI's own punctuation, words and odd bytes: each gives a key or a
  // clear error, for both key types (run under ASan/UBSan in the sanitizer pass).
  const std::string_view pieces[] = {"/",
                                     "//",
                                     "///",
                                     "Alice",
                                     "0",
                                     "18446744073709551616",
                                     " ",
                                     "0x",
                                     "00",
                                     "bottom drive obey lake curtain smoke basket "
                                     "hold race lonely fit walk",
                                     "\xff",
                                     "+1",
                                     "\n",
                                     std::string_view("\0", 1)};
  uint32_t rng = 12345;
  for (int i = 0; i < 400; ++i) {
    std::string uri;
    const int n = static_cast<int>(rng % 7);
    for (int k = 0; k < n; ++k) {
      rng = rng * 1103515245 + 12345;
      uri += pieces[(rng >> 8) % std::size(pieces)];
    }
    rng = rng * 1103515245 + 12345;
    for (KeyType type : {KeyType::kSr25519, KeyType::kEd25519}) {
      auto signer = signer_from_uri(type, uri);
      if (signer.ok()) {
        const auto sig = (*signer)->sign(as_bytes(uri));
        EXPECT_TRUE(verify_signature((*signer)->account(), as_bytes(uri), sig).ok()) << uri;
      } else {
        EXPECT_FALSE(signer.status().message().empty()) << uri;
      }
    }
  }
}

TEST(SecretUri, ParseSecretStillRefusesPaths) {
  // The e2e key (§3.1) never takes a path: rmb-peer cannot run with //Alice.
  for (const char* s : {"//Alice", "bottom drive obey lake curtain smoke basket hold race lonely fit walk//x",
                        "bottom drive obey lake curtain smoke basket hold race lonely fit walk///pw"}) {
    auto seed = parse_secret(s);
    ASSERT_FALSE(seed.ok()) << s;
    EXPECT_NE(seed.status().message().find("derivation paths"), std::string_view::npos);
  }
}

}  // namespace
}  // namespace rmb::core
