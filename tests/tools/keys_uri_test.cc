// `rmb keys show` with Substrate secret URIs: both key types (§3.2 dev vectors), the e2e key
// absent for URIs with a path or password, and clear errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/rmb_cli.h"

namespace rmb::test {
namespace {

TEST(RmbKeysUri, AliceBothKeyTypes) {
  auto r = rmb({"keys", "show", "-m", "//Alice", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sr25519"]["account"], "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_EQ(j["sr25519"]["ss58"], "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  EXPECT_EQ(j["ed25519"]["account"], "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee");
  EXPECT_EQ(j["ed25519"]["ss58"], "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu");
  EXPECT_TRUE(j["e2e_pk"].is_null());
  EXPECT_NE(j["e2e_error"].get<std::string>().find("no derivation path"), std::string::npos);

  auto text = rmb({"keys", "show", "-m", "//Bob"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("sr25519 ss58     5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("ed25519 ss58     5GoNkf6WdbxCFnPdAnYYQyCjAKPJgLNxXwPjwTh6DGg6gN3E"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("e2e pk           (none"), std::string::npos) << text.out;
}

TEST(RmbKeysUri, SoftJunctionHasNoEd25519) {
  auto r = rmb({"keys", "show", "-m", "//Alice/soft", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sr25519"]["account"], "02cfd83074aefc9955af4034d19b3780d47a52e158ababec8ec012b2295f1c5b");
  EXPECT_NE(j["ed25519"]["error"].get<std::string>().find("only hard"), std::string::npos);
}

TEST(RmbKeysUri, PlainMnemonicKeepsE2eKey) {
  auto r =
      rmb({"keys", "show", "-m", "neck stage box cup core magic produce exercise happy rely vocal then", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sr25519"]["account"], "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48");
  EXPECT_EQ(j["e2e_pk"], "0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55");
}

TEST(RmbKeysUri, BadUriIsOneLineError) {
  auto r = rmb({"keys", "show", "-m", "//Alice//"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("rmb: error: ")) << r.err;
  EXPECT_NE(r.err.find("empty junction"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

// `rmb directory add` takes a URI too: the account of the key type asked for, and no e2e key
// (a URI twin cannot have one, §3.1), so peers send to it in plain.
TEST(RmbKeysUri, DirectoryAddTakesUris) {
  TempDir dir;
  const std::string file = dir.file("twins.json");
  auto sr = rmb({"directory", "add", "-f", file, "--id", "5", "-m", "//Alice"});
  ASSERT_EQ(sr.exit_code, 0) << sr.err;
  EXPECT_NE(sr.err.find("without pk"), std::string::npos) << sr.err;
  auto ed = rmb({"directory", "add", "-f", file, "--id", "6", "-m", "//Alice", "-k", "ed25519"});
  ASSERT_EQ(ed.exit_code, 0) << ed.err;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str());
  ASSERT_EQ(j["twins"].size(), 2u);
  EXPECT_EQ(j["twins"][0]["account"], "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_EQ(j["twins"][1]["account"], "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee");
  EXPECT_TRUE(!j["twins"][0].contains("pk") || j["twins"][0]["pk"].is_null());
  // A plain mnemonic still publishes its e2e key.
  auto plain = rmb({"directory", "add", "-f", file, "--id", "7", "-m",
                    "neck stage box cup core magic produce exercise happy rely vocal then"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  std::ifstream again(file);
  std::stringstream text2;
  text2 << again.rdbuf();
  EXPECT_NE(text2.str().find("0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55"), std::string::npos);
  // A bad URI is one clear line and leaves the file alone.
  auto bad = rmb({"directory", "add", "-f", file, "--id", "8", "-m", "//Alice//"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(bad.err.starts_with("rmb: error: ")) << bad.err;
}

}  // namespace
}  // namespace rmb::test
