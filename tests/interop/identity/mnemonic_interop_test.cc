// Our BIP-39 code against python3-mnemonic (the reference implementation's Python port):
// phrases either side generates must validate on the other with the same entropy.
#include <gtest/gtest.h>

#include <sstream>

#include "core/protocol/identity/mnemonic.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace rmb::core {
namespace {

std::string oracle() {
  const char* src = std::getenv("RMB_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/interop/identity/mnemonic_oracle.py";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Runs the oracle with `input` on stdin (through a file) and returns its stdout lines.
std::vector<std::string> run_oracle(const std::vector<std::string>& args, const std::string& input) {
  test::TempDir tmp;
  const std::string in_file = tmp.file("in");
  test::write_file(in_file, input);
  std::string cmd = "/usr/bin/python3 '" + oracle() + "'";
  for (const auto& a : args) cmd += " " + a;
  cmd += " < '" + in_file + "'";
  auto r = test::run_process({"/bin/sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return lines(r.out);
}

TEST(MnemonicInterop, OurPhrasesValidateInPython) {
  std::vector<std::string> phrases;
  std::vector<std::string> entropies;
  for (int words : {12, 15, 18, 21, 24}) {
    for (int i = 0; i < 8; ++i) {
      auto phrase = generate_mnemonic(words);
      ASSERT_TRUE(phrase.ok());
      auto entropy = mnemonic_to_entropy(*phrase);
      ASSERT_TRUE(entropy.ok());
      phrases.push_back(*phrase);
      entropies.push_back(to_hex(*entropy));
    }
  }
  // Plus one we know is bad, to show the oracle does reject.
  phrases.push_back("neck stage box cup core magic produce exercise happy rely vocal vocal");
  std::string input;
  for (const auto& p : phrases) input += p + "\n";
  const auto out = run_oracle({"check"}, input);
  ASSERT_EQ(out.size(), phrases.size());
  for (size_t i = 0; i + 1 < phrases.size(); ++i) {
    EXPECT_EQ(out[i], "1 " + entropies[i]) << phrases[i];
  }
  EXPECT_EQ(out.back(), "0 -");
  EXPECT_FALSE(mnemonic_to_entropy(phrases.back()).ok());
}

TEST(MnemonicInterop, PythonPhrasesValidateHere) {
  const auto out = run_oracle({"generate", "6"}, "");
  ASSERT_EQ(out.size(), 30u);
  for (const auto& line : out) {
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string phrase = line.substr(0, tab), entropy_hex = line.substr(tab + 1);
    auto entropy = mnemonic_to_entropy(phrase);
    ASSERT_TRUE(entropy.ok()) << phrase << ": " << entropy.status();
    EXPECT_EQ(to_hex(*entropy), entropy_hex) << phrase;
    auto back = entropy_to_mnemonic(*entropy);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, phrase);
  }
}

}  // namespace
}  // namespace rmb::core
