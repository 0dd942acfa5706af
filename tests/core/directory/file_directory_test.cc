#include "core/directory/file_directory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/directory/directory_file_io.h"
#include "tests/support/temp_dir.h"

namespace rmb::core {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

AccountId account(uint8_t fill) {
  AccountId a{};
  a.fill(fill);
  return a;
}

Twin twin(uint32_t id, uint8_t fill, std::set<std::string> relays) {
  Twin t;
  t.id = id;
  t.account = account(fill);
  t.relays = std::move(relays);
  return t;
}

// FileDirectory calls back on the caller's thread before returning, so the results can
// be read straight after the call.
std::optional<Twin> lookup(FileDirectory& dir, uint32_t id) {
  std::optional<Twin> out;
  bool called = false;
  dir.get_twin(id, [&](absl::StatusOr<std::optional<Twin>> r) {
    called = true;
    ASSERT_TRUE(r.ok()) << r.status();
    out = *r;
  });
  EXPECT_TRUE(called) << "callback not invoked synchronously";
  return out;
}

std::optional<uint32_t> lookup_id(FileDirectory& dir, const AccountId& a) {
  std::optional<uint32_t> out;
  bool called = false;
  dir.get_twin_id(a, [&](absl::StatusOr<std::optional<uint32_t>> r) {
    called = true;
    ASSERT_TRUE(r.ok()) << r.status();
    out = *r;
  });
  EXPECT_TRUE(called);
  return out;
}

// Moves the file's mtime forward so that even a same-size in-place rewrite within one
// timestamp tick counts as a change.
void bump_mtime(const std::string& path, int seconds) {
  auto t = std::filesystem::last_write_time(path);
  std::filesystem::last_write_time(path, t + std::chrono::seconds(seconds));
}

TEST(FileDirectory, LoadsAndLooksUp) {
  test::TempDir tmp;
  const std::string path = tmp.file("twins.json");
  ASSERT_TRUE(write_directory_file(path, {twin(7, 0x11, {"r1.tf"}), twin(8, 0x22, {})}).ok());
  auto dir = FileDirectory::open(path);
  ASSERT_TRUE(dir.ok()) << dir.status();

  auto t7 = lookup(**dir, 7);
  ASSERT_TRUE(t7.has_value());
  EXPECT_EQ(*t7, twin(7, 0x11, {"r1.tf"}));
  EXPECT_FALSE(lookup(**dir, 9).has_value());
  EXPECT_EQ(lookup_id(**dir, account(0x22)), std::optional<uint32_t>(8));
  EXPECT_EQ(lookup_id(**dir, account(0x33)), std::nullopt);
}

TEST(FileDirectory, OpenErrors) {
  test::TempDir tmp;
  auto missing = FileDirectory::open(tmp.file("nope.json"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("nope.json"), std::string::npos);

  const std::string bad = tmp.file("bad.json");
  test::write_file(bad, R"({"twins":[{"id":7}]})");
  auto invalid = FileDirectory::open(bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(std::string(invalid.status().message()), bad + ": directory: twins[0] (id 7): field \"account\": missing");
}

TEST(FileDirectory, ReloadsWhenTheFileChanges) {
  test::TempDir tmp;
  const std::string path = tmp.file("twins.json");
  ASSERT_TRUE(write_directory_file(path, {twin(7, 0x11, {"old.tf"})}).ok());
  auto dir = FileDirectory::open(path, milliseconds(0));  // check on every lookup
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"old.tf"});

  // Rename-based write (new inode).
  ASSERT_TRUE(write_directory_file(path, {twin(7, 0x11, {"new.tf"}), twin(9, 0x99, {})}).ok());
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"new.tf"});
  EXPECT_EQ(lookup_id(**dir, account(0x99)), std::optional<uint32_t>(9));

  // In-place rewrite of the same size; only the mtime tells.
  auto text = read_text_file(path);
  ASSERT_TRUE(text.ok());
  std::string changed = *text;
  changed.replace(changed.find("new.tf"), 6, "neu.tf");
  test::write_file(path, changed);
  bump_mtime(path, 5);
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"neu.tf"});
}

TEST(FileDirectory, RecheckIntervalDefersReloadUntilReloadIsCalled) {
  test::TempDir tmp;
  const std::string path = tmp.file("twins.json");
  ASSERT_TRUE(write_directory_file(path, {twin(7, 0x11, {"old.tf"})}).ok());
  auto dir = FileDirectory::open(path, hours(1));
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(write_directory_file(path, {twin(7, 0x11, {"new.tf"})}).ok());
  // Within the recheck interval the file is not looked at.
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"old.tf"});
  ASSERT_TRUE((*dir)->reload().ok());  // what SIGHUP does
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"new.tf"});
}

TEST(FileDirectory, BadReloadKeepsTheOldSnapshot) {
  test::TempDir tmp;
  const std::string path = tmp.file("twins.json");
  ASSERT_TRUE(write_directory_file(path, {twin(7, 0x11, {"good.tf"})}).ok());
  auto dir = FileDirectory::open(path, milliseconds(0));
  ASSERT_TRUE(dir.ok());

  test::write_file(path, R"({"twins":[{"id":7,"account":"xyz"}]})");
  bump_mtime(path, 5);
  auto st = (*dir)->reload();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(std::string(st.message()).find("twins[0] (id 7): field \"account\""), std::string::npos) << st;
  // Lookups (which also re-check the file) still see the last good version.
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"good.tf"});
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"good.tf"});

  // A deleted file is a bad version too.
  std::filesystem::remove(path);
  EXPECT_FALSE((*dir)->reload().ok());
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"good.tf"});

  // Once fixed, the next lookup picks it up by itself.
  ASSERT_TRUE(write_directory_file(path, {twin(7, 0x11, {"fixed.tf"})}).ok());
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"fixed.tf"});

  // A bad file found by a lookup (no reload() call) is logged and skipped the same way.
  test::write_file(path, "{ not json");
  bump_mtime(path, 10);
  EXPECT_EQ(lookup(**dir, 7)->relays, std::set<std::string>{"fixed.tf"});
}

// Readers on several threads while the file is rewritten and reloaded: every lookup must
// see one whole version (never a mix, never a missing twin), and nothing may crash. Run
// under the ASan build too.
TEST(FileDirectory, ConcurrentReadersWhileReloading) {
  test::TempDir tmp;
  const std::string path = tmp.file("twins.json");
  auto version = [](int v) {
    const std::string tag = "gen" + std::to_string(v) + ".tf";
    std::vector<Twin> twins;
    for (uint32_t id = 1; id <= 20; ++id) twins.push_back(twin(id, static_cast<uint8_t>(id), {tag, "common.tf"}));
    return twins;
  };
  ASSERT_TRUE(write_directory_file(path, version(0)).ok());
  auto opened = FileDirectory::open(path, milliseconds(0));
  ASSERT_TRUE(opened.ok());
  FileDirectory& dir = **opened;

  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<long> lookups{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      uint32_t id = static_cast<uint32_t>(r) + 1;
      while (!stop.load()) {
        dir.get_twin(id, [&](absl::StatusOr<std::optional<Twin>> t) {
          if (!t.ok() || !t->has_value() || (*t)->relays.size() != 2 || !(*t)->relays.contains("common.tf") ||
              (*t)->account != account(static_cast<uint8_t>(id))) {
            ++bad;
          }
        });
        dir.get_twin_id(account(static_cast<uint8_t>(id)), [&](absl::StatusOr<std::optional<uint32_t>> got) {
          if (!got.ok() || *got != std::optional<uint32_t>(id)) ++bad;
        });
        ++lookups;
        id = id % 20 + 1;
      }
    });
  }
  for (int v = 1; v <= 60; ++v) {
    ASSERT_TRUE(write_directory_file(path, version(v)).ok());
    if (v % 2 == 0) {
      ASSERT_TRUE(dir.reload().ok());
    }
  }
  // Wait until the readers have done some work after the last write, without timing.
  const long seen = lookups.load();
  while (lookups.load() < seen + 100) std::this_thread::yield();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(*lookup(dir, 3)->relays.begin(), "common.tf");
  EXPECT_TRUE(lookup(dir, 3)->relays.contains("gen60.tf"));
}

}  // namespace
}  // namespace rmb::core
