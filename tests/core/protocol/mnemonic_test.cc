#include "core/protocol/identity/mnemonic.h"

#include <gtest/gtest.h>

#include <set>

#include "core/protocol/identity/secret.h"

namespace rmb::core {
namespace {

constexpr std::string_view kNeck = "neck stage box cup core magic produce exercise happy rely vocal then";

std::string message_of(const absl::Status& st) { return std::string(st.message()); }

// Trezor BIP-39 reference vectors (entropy -> English phrase), covering 12/18/24 words.
TEST(Mnemonic, ReferenceVectors) {
  struct V {
    std::string entropy, phrase;
  };
  const V vectors[] = {
      {"00000000000000000000000000000000",
       "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
       "about"},
      {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
       "legal winner thank year wave sausage worth useful legal winner thank yellow"},
      {"ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"},
      {"000000000000000000000000000000000000000000000000",
       "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
       "abandon abandon abandon abandon abandon abandon agent"},
      {"0000000000000000000000000000000000000000000000000000000000000000",
       "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
       "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
       "abandon art"},
      {"8080808080808080808080808080808080808080808080808080808080808080",
       "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount "
       "doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless"},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.phrase);
    auto entropy = from_hex(v.entropy);
    ASSERT_TRUE(entropy.ok());
    auto phrase = entropy_to_mnemonic(*entropy);
    ASSERT_TRUE(phrase.ok()) << phrase.status();
    EXPECT_EQ(*phrase, v.phrase);
    auto back = mnemonic_to_entropy(v.phrase);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(to_hex(*back), v.entropy);
  }
}

TEST(Mnemonic, WhitespaceIsNormalised) {
  auto canonical = mnemonic_to_entropy(kNeck);
  ASSERT_TRUE(canonical.ok());
  for (std::string phrase :
       {std::string("  neck  stage box\tcup core magic produce exercise happy rely vocal then\n"),
        std::string("neck\nstage\nbox\ncup\ncore\nmagic\nproduce\nexercise\nhappy\nrely\nvocal\nthen"),
        std::string("neck stage box cup core magic produce exercise happy rely vocal then\r\n")}) {
    auto entropy = mnemonic_to_entropy(phrase);
    ASSERT_TRUE(entropy.ok()) << entropy.status();
    EXPECT_EQ(*entropy, *canonical);
  }
}

TEST(Mnemonic, UnknownWordIsNamedWithItsPosition) {
  auto r = mnemonic_to_entropy("neck stage foo cup core magic produce exercise happy rely vocal then");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(message_of(r.status()), "invalid mnemonic: word 3 \"foo\" is not in the BIP-39 English list");
  // Case matters in the English list; an upper-case word is named too.
  auto upper = mnemonic_to_entropy("Neck stage box cup core magic produce exercise happy rely vocal then");
  ASSERT_FALSE(upper.ok());
  EXPECT_NE(message_of(upper.status()).find("word 1 \"Neck\""), std::string::npos);
}

TEST(Mnemonic, BadChecksum) {
  // Last word changed: every word valid, checksum bits wrong.
  auto r = mnemonic_to_entropy("neck stage box cup core magic produce exercise happy rely vocal vocal");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(message_of(r.status()), "invalid mnemonic: checksum mismatch");
  // Two words swapped.
  auto swapped = mnemonic_to_entropy("stage neck box cup core magic produce exercise happy rely vocal then");
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(message_of(swapped.status()), "invalid mnemonic: checksum mismatch");
}

TEST(Mnemonic, WrongWordCounts) {
  const std::string eleven = "neck stage box cup core magic produce exercise happy rely vocal";
  auto r11 = mnemonic_to_entropy(eleven);
  ASSERT_FALSE(r11.ok());
  EXPECT_EQ(message_of(r11.status()), "invalid mnemonic: it has 11 words, expected 12, 15, 18, 21 or 24");
  std::string twenty_five = "abandon";
  for (int i = 1; i < 25; ++i) twenty_five += " abandon";
  auto r25 = mnemonic_to_entropy(twenty_five);
  ASSERT_FALSE(r25.ok());
  EXPECT_NE(message_of(r25.status()).find("it has 25 words"), std::string::npos);
  auto r0 = mnemonic_to_entropy(" \n\t ");
  ASSERT_FALSE(r0.ok());
  EXPECT_NE(message_of(r0.status()).find("it has 0 words"), std::string::npos);
  auto r13 = mnemonic_to_entropy(std::string(kNeck) + " then");
  ASSERT_FALSE(r13.ok());
  EXPECT_NE(message_of(r13.status()).find("it has 13 words"), std::string::npos);
}

TEST(Mnemonic, EntropyLengthsAreChecked) {
  for (size_t n : {0u, 15u, 17u, 33u, 64u}) {
    Bytes entropy(n, 0x42);
    auto r = entropy_to_mnemonic(entropy);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_NE(message_of(r.status()).find("invalid entropy length"), std::string::npos);
  }
}

TEST(Mnemonic, GenerateEveryWordCountAndRoundTrip) {
  for (int words : {12, 15, 18, 21, 24}) {
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
      auto phrase = generate_mnemonic(words);
      ASSERT_TRUE(phrase.ok()) << phrase.status();
      EXPECT_EQ(std::count(phrase->begin(), phrase->end(), ' '), words - 1);
      auto entropy = mnemonic_to_entropy(*phrase);
      ASSERT_TRUE(entropy.ok()) << *phrase << ": " << entropy.status();
      EXPECT_EQ(entropy->size(), static_cast<size_t>(words) * 4 / 3);
      auto again = entropy_to_mnemonic(*entropy);
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(*again, *phrase);
      ASSERT_TRUE(parse_secret(*phrase).ok());
      seen.insert(*phrase);
    }
    EXPECT_EQ(seen.size(), 20u) << "generated phrases repeat";
  }
}

TEST(Mnemonic, GenerateRejectsOtherCounts) {
  for (int words : {-12, 0, 11, 13, 25, 48}) {
    auto r = generate_mnemonic(words);
    ASSERT_FALSE(r.ok()) << words;
    EXPECT_NE(message_of(r.status()).find("expected 12, 15, 18, 21 or 24"), std::string::npos);
  }
}

TEST(Mnemonic, NeverCrashesOnJunk) {
  const std::string junk[] = {std::string("\0\0\0", 3), std::string(100000, 'a'), "\xff\xfe abandon",
                              "abandon\xc3\xa9 " + std::string(kNeck)};
  for (const auto& text : junk) EXPECT_FALSE(mnemonic_to_entropy(text).ok());
}

}  // namespace
}  // namespace rmb::core
