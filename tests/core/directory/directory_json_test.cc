#include <gtest/gtest.h>

#include <sys/stat.h>
#include <filesystem>

#include "core/directory/directory_file_io.h"
#include "core/directory/file_directory.h"
#include "tests/support/temp_dir.h"

namespace rmb::core {
namespace {

constexpr char kAliceHex[] = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
constexpr char kAliceSs58[] = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
constexpr char kBobHex[] = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";
constexpr char kNeckPk[] = "0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55";

std::string error_of(const std::string& text) {
  auto r = parse_directory_json(text);
  EXPECT_FALSE(r.ok()) << text;
  return std::string(r.status().message());
}

Twin twin(uint32_t id, const std::string& account_hex, std::set<std::string> relays,
          std::optional<std::string> pk_hex) {
  Twin t;
  t.id = id;
  t.account = *from_hex_fixed<32>(account_hex);
  t.relays = std::move(relays);
  if (pk_hex) t.pk = *from_hex(*pk_hex);
  return t;
}

TEST(DirectoryJson, ParsesHexAndSs58Accounts) {
  const std::string text = std::string(R"({"twins":[
    {"id":7,"account":")") +
                           kAliceSs58 + R"(","relays":["relay.grid.tf","127.0.0.1:8080"],"pk":")" + kNeckPk + R"("},
    {"id":8,"account":"0x)" +
                           kBobHex + R"(","pk":null},
    {"id":9,"account":")" + std::string(kBobHex).replace(0, 2, "00") +
                           R"(","relays":[]}]})";
  auto twins = parse_directory_json(text);
  ASSERT_TRUE(twins.ok()) << twins.status();
  ASSERT_EQ(twins->size(), 3u);
  EXPECT_EQ((*twins)[0], twin(7, kAliceHex, {"relay.grid.tf", "127.0.0.1:8080"}, kNeckPk));
  EXPECT_EQ((*twins)[1], twin(8, kBobHex, {}, std::nullopt));
  EXPECT_FALSE((*twins)[2].pk.has_value());
  EXPECT_TRUE((*twins)[2].relays.empty());
}

TEST(DirectoryJson, EmptyDirectory) {
  auto twins = parse_directory_json(R"({"version":1,"twins":[]})");
  ASSERT_TRUE(twins.ok());
  EXPECT_TRUE(twins->empty());
}

TEST(DirectoryJson, ErrorsNameTheEntryAndField) {
  const std::string a = kAliceHex, b = kBobHex;
  struct Case {
    std::string text, want;
  };
  const Case cases[] = {
      {"{", "directory: not valid JSON: parse error at line 1, column 2"},
      {R"({"twins":[{"id":1E777}]})", "directory: not valid JSON: number overflow parsing '1E777'"},
      {"[]", "directory: expected a JSON object {\"twins\": [...]}, got array"},
      {"{}", "directory: missing top-level field \"twins\""},
      {R"({"twins":{}})", "directory: field \"twins\": expected an array, got object"},
      {R"({"twin":[]})", "directory: unknown top-level field \"twin\""},
      {R"({"version":2,"twins":[]})", "directory: unsupported format version 2"},
      {R"({"twins":[7]})", "directory: twins[0]: expected an object, got number"},
      {R"({"twins":[{"account":")" + a + R"("}]})", "directory: twins[0]: field \"id\": missing"},
      {R"({"twins":[{"id":0,"account":")" + a + R"("}]})",
       "directory: twins[0]: field \"id\": must be 1..4294967295, got 0"},
      {R"({"twins":[{"id":4294967296,"account":")" + a + R"("}]})",
       "directory: twins[0]: field \"id\": must be 1..4294967295, got 4294967296"},
      {R"({"twins":[{"id":-3,"account":")" + a + R"("}]})",
       "directory: twins[0]: field \"id\": expected a positive integer, got -3"},
      {R"({"twins":[{"id":"7","account":")" + a + R"("}]})",
       "directory: twins[0]: field \"id\": expected a positive integer, got string"},
      {R"({"twins":[{"id":7.5,"account":")" + a + R"("}]})",
       "directory: twins[0]: field \"id\": expected a positive integer, got 7.5"},
      {R"({"twins":[{"id":7,"account":")" + a + R"("},{"id":8}]})",
       "directory: twins[1] (id 8): field \"account\": missing"},
      {R"({"twins":[{"id":7,"account":"abc"}]})",
       "directory: twins[0] (id 7): field \"account\": invalid account (expected 64 hex digits or an SS58 address)"},
      {R"({"twins":[{"id":7,"account":5}]})",
       "directory: twins[0] (id 7): field \"account\": expected a string, got number"},
      {R"({"twins":[{"id":7,"account":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"}]})",
       "directory: twins[0] (id 7): field \"account\": invalid account (expected 64 hex digits or an SS58 address): "
       "invalid SS58 address: checksum mismatch"},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","relays":"relay.tf"}]})",
       "directory: twins[0] (id 7): field \"relays\": expected an array of strings, got string"},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","relays":["ok.tf","bad..tf"]}]})",
       "directory: twins[0] (id 7): field \"relays[1]\": invalid relay domain \"bad..tf\": contains \"..\""},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","relays":[1]}]})",
       "directory: twins[0] (id 7): field \"relays[0]\": expected a string, got number"},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","pk":"0351"}]})",
       "directory: twins[0] (id 7): field \"pk\": expected a secp256k1 public key (33 bytes starting 02/03, or 65 "
       "bytes starting 04), got 2 bytes"},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","pk":""}]})",
       "directory: twins[0] (id 7): field \"pk\": expected a secp256k1 public key (33 bytes starting 02/03, or 65 "
       "bytes starting 04), got 0 bytes"},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","pk":"zz"}]})",
       "directory: twins[0] (id 7): field \"pk\": invalid hex text"},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","pk":33}]})",
       "directory: twins[0] (id 7): field \"pk\": expected a hex string or null, got number"},
      {R"({"twins":[{"id":7,"account":")" + a + R"(","relay":"x.tf"}]})",
       "directory: twins[0] (id 7): field \"relay\": unknown field (expected id, account, relays, pk)"},
      {R"({"twins":[{"id":7,"account":")" + a + R"("},{"id":7,"account":")" + b + R"("}]})",
       "directory: twins[1] (id 7): field \"id\": duplicate id, already used by twins[0]"},
      // The same account once as hex and once as SS58 is still a duplicate.
      {R"({"twins":[{"id":7,"account":")" + a + R"("},{"id":8,"account":")" + b + R"("},{"id":9,"account":")" +
           kAliceSs58 + R"("}]})",
       "directory: twins[2] (id 9): field \"account\": duplicate account, already used by twins[0] (id 7)"},
  };
  for (const auto& c : cases) {
    const std::string got = error_of(c.text);
    EXPECT_EQ(got.substr(0, c.want.size()), c.want) << c.text;
  }
}

TEST(DirectoryJson, RoundTrip) {
  const std::vector<std::vector<Twin>> inputs = {
      {},
      {twin(7, kAliceHex, {"relay.grid.tf"}, kNeckPk)},
      {twin(4294967295u, kBobHex, {"b.tf", "a.tf:8443", "c.example.com"}, std::nullopt),
       twin(1, kAliceHex, {}, "04" + std::string(128, 'a'))},
  };
  for (const auto& twins : inputs) {
    const std::string text = directory_to_json(twins);
    auto back = parse_directory_json(text);
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << text;
    EXPECT_EQ(*back, twins) << text;
  }
}

TEST(DirectoryJson, OutputShape) {
  const std::string text = directory_to_json({twin(7, kAliceHex, {"relay.grid.tf"}, std::nullopt)});
  EXPECT_NE(text.find("\"version\": 1"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("\"account\": \"") + kAliceHex + "\""), std::string::npos);
  EXPECT_NE(text.find("\"pk\": null"), std::string::npos);
  EXPECT_LT(text.find("\"id\""), text.find("\"account\""));
}

TEST(DirectoryFileIo, AtomicWriteThenRead) {
  test::TempDir dir;
  const std::string path = dir.file("twins.json");
  auto missing = read_directory_file(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);

  const std::vector<Twin> twins = {twin(7, kAliceHex, {"relay.grid.tf"}, kNeckPk)};
  ASSERT_TRUE(write_directory_file(path, twins).ok());
  auto back = read_directory_file(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, twins);
  ASSERT_TRUE(write_directory_file(path, {}).ok());
  back = read_directory_file(path);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->empty());

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // Only the file itself: no temporary files left behind.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST(DirectoryFileIo, ErrorsNameThePath) {
  test::TempDir dir;
  const std::string path = dir.file("twins.json");
  test::write_file(path, "{\"twins\": 3}");
  auto r = read_directory_file(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()), path + ": directory: field \"twins\": expected an array, got number");
  auto not_file = read_directory_file(dir.path().string());
  ASSERT_FALSE(not_file.ok());
  EXPECT_EQ(std::string(not_file.status().message()), dir.path().string() + " is not a regular file");
  auto w = write_directory_file(dir.file("no-such-dir/twins.json"), {});
  ASSERT_FALSE(w.ok());
  EXPECT_NE(std::string(w.message()).find("no-such-dir/twins.json"), std::string::npos);
}

}  // namespace
}  // namespace rmb::core
