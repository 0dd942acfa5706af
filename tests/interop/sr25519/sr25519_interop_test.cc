// sr25519 interop with polkadot.js (@polkadot/util-crypto 12, schnorrkel compiled to wasm):
// signatures we make verify there, signatures made there verify here, and secret-URI
// derivations (hard, soft, password) give the same public keys.
//
// The npm package is installed on first run into $RMB_BUILD_DIR/interop_sr25519/npm and
// reused afterwards. Without the npm registry the test FAILS with the npm output: an
// interop test that cannot reach its oracle has not shown anything.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "absl/strings/str_split.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/sr25519.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace rmb::core {
namespace {

namespace fs = std::filesystem;

constexpr char kPackage[] = "@polkadot/util-crypto@12";

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

class Sr25519Interop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    npm_dir_ = new fs::path(fs::path(env_or("RMB_BUILD_DIR", ".")) / "interop_sr25519" / "npm");
    setup_error_ = new std::string();
    fs::create_directories(*npm_dir_);
    const fs::path marker = *npm_dir_ / "node_modules" / "@polkadot" / "util-crypto" / "package.json";
    if (!fs::exists(marker)) {
      auto r = test::run_process({"/bin/sh", "-c",
                                  "cd '" + npm_dir_->string() +
                                      "' && npm install --no-audit --no-fund --loglevel=error " + kPackage + " 2>&1"});
      if (r.exit_code != 0 || !fs::exists(marker)) {
        *setup_error_ = std::string("could not install ") + kPackage +
                        " from npm (is the npm registry reachable?): exit " + std::to_string(r.exit_code) + "\n" +
                        r.out + r.err;
        return;
      }
    }
    // ESM resolves packages next to the script, so the oracle runs from the npm folder.
    const fs::path src =
        fs::path(env_or("RMB_SOURCE_DIR", ".")) / "tests" / "interop" / "sr25519" / "sr25519_oracle.mjs";
    fs::copy_file(src, *npm_dir_ / "sr25519_oracle.mjs", fs::copy_options::overwrite_existing);
  }

  void SetUp() override { ASSERT_TRUE(setup_error_->empty()) << *setup_error_; }

  // One node process for a batch of requests; returns one answer line per request.
  static std::vector<std::string> oracle(const std::vector<std::string>& requests) {
    test::TempDir tmp;
    const std::string in = tmp.file("requests");
    std::string text;
    for (const auto& r : requests) text += r + "\n";
    test::write_file(in, text);
    auto r = test::run_process(
        {"/bin/sh", "-c", "cd '" + npm_dir_->string() + "' && node sr25519_oracle.mjs < '" + in + "'"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    std::istringstream is(r.out);
    for (std::string line; std::getline(is, line);) lines.push_back(line);
    EXPECT_EQ(lines.size(), requests.size()) << r.out << r.err;
    lines.resize(requests.size());
    return lines;
  }

  static fs::path* npm_dir_;
  static std::string* setup_error_;
};

fs::path* Sr25519Interop::npm_dir_ = nullptr;
std::string* Sr25519Interop::setup_error_ = nullptr;

const char* const kUris[] = {
    "//Alice",
    "//Bob",
    "//Alice/soft",
    "//Alice//stash/0/x",
    "/1/2",
    "//Alice///pw",
    "neck stage box cup core magic produce exercise happy rely vocal then",
    "neck stage box cup core magic produce exercise happy rely vocal then//x/y///pass",
    "volume behind cable present pull exchange wish loyal avocado snap film increase",
    "0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d//hard/soft",
};

TEST_F(Sr25519Interop, OurSignaturesVerifyInPolkadotJs) {
  std::vector<std::string> requests;
  std::vector<std::string> what;
  for (const char* uri : kUris) {
    auto signer = signer_from_uri(KeyType::kSr25519, uri);
    ASSERT_TRUE(signer.ok()) << uri << ": " << signer.status();
    for (std::string msg : {std::string(""), std::string("hello"), std::string(300, 'm')}) {
      const Signature65 sig = (*signer)->sign(as_bytes(msg));
      const std::string pub = to_hex((*signer)->account());
      const std::string sig_hex = to_hex(ByteView(sig).subspan(1));
      requests.push_back("verify " + pub + " " + to_hex(as_bytes(msg)) + " " + sig_hex);
      what.push_back(std::string(uri) + " msg len " + std::to_string(msg.size()));
      // Control: the same signature over another message must be refused there too.
      requests.push_back("verify " + pub + " " + to_hex(as_bytes(msg + "!")) + " " + sig_hex);
      what.push_back(std::string(uri) + " tampered");
    }
  }
  const auto answers = oracle(requests);
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i], i % 2 == 0 ? "true" : "false") << what[i];
  }
}

TEST_F(Sr25519Interop, PolkadotJsSignaturesVerifyHere) {
  std::vector<std::string> requests;
  const std::string digest = "2130548edf6ee59b5e2856e259b24027";  // Appendix A md5
  for (const char* uri : kUris) requests.push_back("sign " + digest + " " + uri);
  const auto answers = oracle(requests);
  const Bytes message = *from_hex(digest);
  for (size_t i = 0; i < answers.size(); ++i) {
    SCOPED_TRACE(kUris[i]);
    std::vector<std::string> parts = absl::StrSplit(answers[i], ' ');
    ASSERT_EQ(parts.size(), 2u) << answers[i];
    auto pub = from_hex_fixed<32>(parts[0]);
    auto sig = from_hex(parts[1]);
    ASSERT_TRUE(pub.ok() && sig.ok()) << answers[i];
    auto ours = signer_from_uri(KeyType::kSr25519, kUris[i]);
    ASSERT_TRUE(ours.ok());
    EXPECT_EQ(*pub, (*ours)->account());
    Bytes sig65{kSr25519Prefix};
    sig65.insert(sig65.end(), sig->begin(), sig->end());
    EXPECT_TRUE(verify_signature(*pub, message, sig65).ok());
    Bytes other = message;
    other[15] ^= 1;
    EXPECT_FALSE(verify_signature(*pub, other, sig65).ok());
  }
}

TEST_F(Sr25519Interop, DerivationsAgree) {
  std::vector<std::string> requests;
  for (const char* uri : kUris) requests.push_back(std::string("derive ") + uri);
  const auto answers = oracle(requests);
  for (size_t i = 0; i < answers.size(); ++i) {
    SCOPED_TRACE(kUris[i]);
    std::vector<std::string> parts = absl::StrSplit(answers[i], ' ');
    ASSERT_EQ(parts.size(), 2u) << answers[i];
    auto sr = signer_from_uri(KeyType::kSr25519, kUris[i]);
    ASSERT_TRUE(sr.ok());
    EXPECT_EQ(to_hex((*sr)->account()), parts[0]);
    auto ed = signer_from_uri(KeyType::kEd25519, kUris[i]);
    if (parts[1] == "-") {
      EXPECT_FALSE(ed.ok());  // soft junction: refused by both
    } else {
      ASSERT_TRUE(ed.ok()) << ed.status();
      EXPECT_EQ(to_hex((*ed)->account()), parts[1]);
    }
  }
}

}  // namespace
}  // namespace rmb::core
