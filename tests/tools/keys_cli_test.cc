// The built `rmb` binary, run as a child process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/directory/directory_file_io.h"
#include "core/directory/file_directory.h"
#include "core/protocol/identity/mnemonic.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/rmb_cli.h"

namespace rmb::test {
namespace {

constexpr char kNeckEd[] = "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55";
constexpr char kNeckEdSs58[] = "5EGtD8gtMcKPupQ187AY8VMx3SP6489nnFUv7b9cC2eRKiqw";
constexpr char kAliceSs58[] = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
constexpr char kAliceHex[] = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

// Errors are exactly one line on stderr.
void expect_one_line_error(const ProcessResult& r, const std::string& needle) {
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.err.starts_with("rmb: error: ")) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(RmbCli, KeysNewThenShowRoundTrip) {
  for (const char* words : {"12", "24"}) {
    auto made = rmb({"keys", "new", "--words", words});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    EXPECT_NE(made.err.find("secret"), std::string::npos);  // the warning goes to stderr
    std::string phrase = made.out;
    ASSERT_TRUE(phrase.ends_with("\n"));
    phrase.pop_back();
    EXPECT_EQ(std::count(phrase.begin(), phrase.end(), ' ') + 1, std::stoi(words));
    ASSERT_TRUE(core::mnemonic_to_entropy(phrase).ok()) << phrase;

    TempDir tmp;
    const std::string file = tmp.file("secret");
    write_file(file, made.out);
    auto shown = rmb({"keys", "show", "--mnemonic-file", file, "--json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    auto by_flag = rmb({"keys", "show", "--mnemonic", phrase, "--json"});
    auto by_env = rmb({"keys", "show", "--json"}, {{"RMB_MNEMONIC", phrase}});
    EXPECT_EQ(by_flag.out, shown.out);
    EXPECT_EQ(by_env.out, shown.out);
    auto j = nlohmann::json::parse(shown.out);
    EXPECT_EQ(j["ed25519"]["account"].get<std::string>().size(), 64u);
    EXPECT_EQ(j["ed25519"]["ss58"].get<std::string>()[0], '5');
    EXPECT_EQ(j["e2e_pk"].get<std::string>().size(), 66u);
  }
}

TEST(RmbCli, KeysShowKnownVector) {
  auto text = rmb({"keys", "show", "-m", kNeck});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(std::string("ed25519 account  ") + kNeckEd), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(std::string("ed25519 ss58     ") + kNeckEdSs58), std::string::npos);
  EXPECT_NE(text.out.find(std::string("e2e pk           ") + kNeckPk), std::string::npos);
  EXPECT_NE(text.out.find("sr25519"), std::string::npos);

  auto json = rmb({"keys", "show", "-m", kNeck, "--json"});
  ASSERT_EQ(json.exit_code, 0);
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["ed25519"]["account"], kNeckEd);
  EXPECT_EQ(j["ed25519"]["ss58"], kNeckEdSs58);
  EXPECT_EQ(j["e2e_pk"], kNeckPk);
  EXPECT_EQ(j["sr25519"]["account"], "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48");
  EXPECT_EQ(j["sr25519"]["ss58"], "5EFsy5c74SbTa7yWs9TjRKEEfrHSYq4TDYXuPGThdKsonsFp");
}

TEST(RmbCli, KeysShowHexSeed) {
  auto r = rmb({"keys", "show", "--json", "-m", "0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ed25519"]["account"], "922b07df6a39450574ce91295b17e1be17a5c67c1975226d137647bcf8cf8045");
  EXPECT_EQ(j["e2e_pk"], "032965609be627c7656bdce629af8537513238041aafd8a6dac524d6e5206747f0");
  // Zero is not a valid secp256k1 secret: rmb-peer refuses it, so do we.
  auto zero = rmb({"keys", "show", "-m", "0x" + std::string(64, '0')});
  EXPECT_EQ(zero.exit_code, 1);
  expect_one_line_error(zero, "e2e (secp256k1) key");
}

TEST(RmbCli, KeysErrors) {
  auto bad_word = rmb({"keys", "show", "-m", "neck stage foo cup core magic produce exercise happy rely vocal then"});
  EXPECT_EQ(bad_word.exit_code, 1);
  expect_one_line_error(bad_word, "word 3 \"foo\" is not in the BIP-39 English list");
  auto derivation = rmb({"keys", "show", "-m", "//Alice//"});
  EXPECT_EQ(derivation.exit_code, 1);
  expect_one_line_error(derivation, "empty junction");
  auto none = rmb({"keys", "show"});
  EXPECT_EQ(none.exit_code, 2);
  expect_one_line_error(none, "no secret given");
  auto both = rmb({"keys", "show", "-m", kNeck, "--mnemonic-file", "/nonexistent"});
  EXPECT_EQ(both.exit_code, 2);
  expect_one_line_error(both, "not both");
  auto missing_file = rmb({"keys", "show", "--mnemonic-file", "/nonexistent/secret"});
  EXPECT_EQ(missing_file.exit_code, 1);
  expect_one_line_error(missing_file, "/nonexistent/secret");
  auto words = rmb({"keys", "new", "--words", "13"});
  EXPECT_EQ(words.exit_code, 2);
  expect_one_line_error(words, "13");
  EXPECT_TRUE(words.out.empty());
}

TEST(RmbCli, HelpAndUsage) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"keys", "--help"},
                                        {"keys", "new", "--help"},
                                        {"keys", "show", "--help"},
                                        {"directory", "--help"},
                                        {"directory", "add", "--help"},
                                        {"directory", "remove", "-h"},
                                        {"directory", "list", "--help"}}) {
    auto r = rmb(args);
    EXPECT_EQ(r.exit_code, 0) << args.back() << r.err;
    EXPECT_NE(r.out.find("Usage: rmb"), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty());
  }
  auto top = rmb({"--help"});
  EXPECT_NE(top.out.find("keys"), std::string::npos);
  EXPECT_NE(top.out.find("directory"), std::string::npos);

  struct Usage {
    std::vector<std::string> args;
    std::string needle;
  };
  const Usage usage[] = {
      {{}, "missing command"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"keys"}, "missing command"},
      {{"keys", "rotate"}, "unknown command 'rotate'"},
      {{"keys", "show", "--bogus"}, "--bogus"},
      {{"keys", "show", "stray"}, "options only"},
      {{"directory", "list"}, "--file"},
      {{"directory", "add", "--file", "x.json"}, "--id"},
      {{"directory", "add", "--file", "x.json", "--id", "abc", "--account", kAliceHex}, "--id must be"},
      {{"directory", "add", "--file", "x.json", "--id", "0", "--account", kAliceHex}, "--id must be"},
      {{"directory", "add", "--file", "x.json", "--id", "7"}, "exactly one of"},
      {{"directory", "add", "--file", "x.json", "--id", "7", "-m", kNeck, "--account", kAliceHex}, "exactly one of"},
      {{"directory", "add", "--file", "x.json", "--id", "7", "-m", kNeck, "--pk", kNeckPk}, "--pk goes with --account"},
      {{"directory", "add", "--file", "x.json", "--id", "7", "--account", kAliceHex, "-k", "ed25519"},
       "--key-type goes with --mnemonic"},
      {{"directory", "add", "--file", "x.json", "--id", "7", "-m", kNeck, "-k", "rsa"}, "rsa"},
  };
  for (const auto& u : usage) {
    auto r = rmb(u.args);
    EXPECT_EQ(r.exit_code, 2) << u.needle << ": " << r.err;
    expect_one_line_error(r, u.needle);
    EXPECT_NE(r.err.find("--help"), std::string::npos) << "usage errors hint at --help: " << r.err;
  }
}

TEST(RmbCli, DirectoryAddUpsertRemoveList) {
  TempDir tmp;
  const std::string file = tmp.file("twins.json");

  // Mnemonic form: account and e2e pk are derived; the file is created.
  auto add7 = rmb({"directory", "add", "--file", file, "--id", "7", "--mnemonic", kNeck, "--key-type", "ed25519",
                   "--relay", "relay.grid.tf", "--relay", "127.0.0.1:8080"});
  ASSERT_EQ(add7.exit_code, 0) << add7.err;
  EXPECT_NE(add7.out.find("twin 7 added"), std::string::npos);
  // Account form, SS58.
  auto add8 = rmb({"directory", "add", "--file", file, "--id", "8", "--account", kAliceSs58});
  ASSERT_EQ(add8.exit_code, 0) << add8.err;

  auto twins = core::read_directory_file(file);
  ASSERT_TRUE(twins.ok()) << twins.status();
  ASSERT_EQ(twins->size(), 2u);
  EXPECT_EQ((*twins)[0].id, 7u);
  EXPECT_EQ(core::to_hex((*twins)[0].account), kNeckEd);
  EXPECT_EQ(core::to_hex(*(*twins)[0].pk), kNeckPk);
  EXPECT_EQ((*twins)[0].relays, (std::set<std::string>{"relay.grid.tf", "127.0.0.1:8080"}));
  EXPECT_EQ(core::to_hex((*twins)[1].account), kAliceHex);
  EXPECT_FALSE((*twins)[1].pk.has_value());

  // Upsert: id 8 replaced (hex account, pk, relay); still two twins, sorted by id.
  auto up8 = rmb({"directory", "add", "--file", file, "--id", "8", "--account", std::string("0x") + kAliceHex, "--pk",
                  kNeckPk, "--relay", "r2.example.com"});
  ASSERT_EQ(up8.exit_code, 0) << up8.err;
  EXPECT_NE(up8.out.find("twin 8 updated"), std::string::npos);
  // Added out of order: written sorted.
  auto add3 = rmb({"directory", "add", "--file", file, "--id", "3", "--account",
                   "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"});
  ASSERT_EQ(add3.exit_code, 0) << add3.err;

  auto listed = rmb({"directory", "list", "--file", file, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto parsed = core::parse_directory_json(listed.out);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].id, 3u);
  EXPECT_EQ((*parsed)[1].id, 7u);
  EXPECT_EQ((*parsed)[2].id, 8u);
  EXPECT_EQ((*parsed)[2].relays, std::set<std::string>{"r2.example.com"});
  EXPECT_EQ(core::to_hex(*(*parsed)[2].pk), kNeckPk);

  auto table = rmb({"directory", "list", "--file", file});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 4) << table.out;  // header + 3
  EXPECT_NE(table.out.find(kNeckEdSs58), std::string::npos);
  EXPECT_NE(table.out.find("127.0.0.1:8080,relay.grid.tf"), std::string::npos) << table.out;

  // The same account under another id is refused.
  auto dup = rmb({"directory", "add", "--file", file, "--id", "9", "--account", kAliceHex});
  EXPECT_EQ(dup.exit_code, 1);
  expect_one_line_error(dup, "already belongs to twin 8");

  auto removed = rmb({"directory", "remove", "--file", file, "--id", "7"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  auto gone = rmb({"directory", "remove", "--file", file, "--id", "7"});
  EXPECT_EQ(gone.exit_code, 1);
  expect_one_line_error(gone, "no twin 7");
  twins = core::read_directory_file(file);
  ASSERT_TRUE(twins.ok());
  EXPECT_EQ(twins->size(), 2u);
}

TEST(RmbCli, DirectoryFailures) {
  TempDir tmp;
  const std::string file = tmp.file("twins.json");
  auto missing = rmb({"directory", "list", "--file", file});
  EXPECT_EQ(missing.exit_code, 1);
  expect_one_line_error(missing, "no such file");
  auto remove_missing = rmb({"directory", "remove", "--file", file, "--id", "1"});
  EXPECT_EQ(remove_missing.exit_code, 1);

  auto bad_relay =
      rmb({"directory", "add", "--file", file, "--id", "1", "--account", kAliceHex, "--relay", "https://relay.tf"});
  EXPECT_EQ(bad_relay.exit_code, 1);
  expect_one_line_error(bad_relay, "invalid relay domain");
  auto bad_account = rmb({"directory", "add", "--file", file, "--id", "1", "--account", "5Grw"});
  EXPECT_EQ(bad_account.exit_code, 1);
  expect_one_line_error(bad_account, "invalid account");
  auto bad_pk = rmb({"directory", "add", "--file", file, "--id", "1", "--account", kAliceHex, "--pk", "0351"});
  EXPECT_EQ(bad_pk.exit_code, 1);
  expect_one_line_error(bad_pk, "--pk");
  auto bad_mnemonic = rmb({"directory", "add", "--file", file, "--id", "1", "-m",
                           "neck stage box cup core magic produce exercise happy rely vocal vocal", "-k", "ed25519"});
  EXPECT_EQ(bad_mnemonic.exit_code, 1);
  expect_one_line_error(bad_mnemonic, "checksum mismatch");
  // Nothing was written by the failed commands.
  EXPECT_FALSE(std::filesystem::exists(file));

  // A corrupt file is reported, not overwritten.
  write_file(file, "{\"twins\": [{\"id\": 1}]}");
  auto corrupt = rmb({"directory", "add", "--file", file, "--id", "2", "--account", kAliceHex});
  EXPECT_EQ(corrupt.exit_code, 1);
  expect_one_line_error(corrupt, "twins[0] (id 1): field \"account\": missing");
  EXPECT_EQ(slurp(file), "{\"twins\": [{\"id\": 1}]}");
}

}  // namespace
}  // namespace rmb::test
