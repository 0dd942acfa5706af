#include "gateway/engine/twin_cache.h"

#include <gtest/gtest.h>

#include <atomic>

#include "core/directory/file_directory.h"
#include "tests/support/twins.h"

namespace rmb::gateway {
namespace {

using namespace std::chrono_literals;

// A real FileDirectory that counts the lookups reaching it.
class CountingDirectory : public core::TwinDirectory {
 public:
  explicit CountingDirectory(core::TwinDirectory& inner) : inner_(inner) {}
  void get_twin(uint32_t id, TwinCallback done) override {
    ++twin_lookups;
    inner_.get_twin(id, std::move(done));
  }
  void get_twin_id(const core::AccountId& account, IdCallback done) override {
    inner_.get_twin_id(account, std::move(done));
  }
  std::atomic<int> twin_lookups{0};

 private:
  core::TwinDirectory& inner_;
};

struct Fixture {
  Fixture() {
    twins = test::make_twins(3, 10);
    path = test::make_temp_dir("engine-cache") + "/twins.json";
    EXPECT_TRUE(test::write_directory(path, twins).ok());
    auto opened = core::FileDirectory::open(path);
    EXPECT_TRUE(opened.ok());
    file = std::move(*opened);
    counting = std::make_unique<CountingDirectory>(*file);
  }
  std::vector<test::TestTwin> twins;
  std::string path;
  std::unique_ptr<core::FileDirectory> file;
  std::unique_ptr<CountingDirectory> counting;
};

std::optional<core::Twin> lookup(TwinCache& cache, uint32_t id) {
  std::optional<core::Twin> out;
  bool called = false;
  cache.get(id, [&](absl::StatusOr<std::optional<core::Twin>> r) {
    called = true;
    ASSERT_TRUE(r.ok());
    out = *r;
  });
  EXPECT_TRUE(called);  // FileDirectory answers at once
  return out;
}

TEST(TwinCache, HitsDoNotReachTheDirectory) {
  Fixture f;
  TwinCache cache(*f.counting, 500, 300s);
  auto twin = lookup(cache, 11);
  ASSERT_TRUE(twin.has_value());
  EXPECT_EQ(twin->account, f.twins[1].signer->account());
  EXPECT_EQ(lookup(cache, 11)->id, 11u);
  EXPECT_EQ(f.counting->twin_lookups.load(), 1);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TwinCache, UnknownTwinsAreAskedAgain) {
  Fixture f;
  TwinCache cache(*f.counting, 500, 300s);
  EXPECT_FALSE(lookup(cache, 99).has_value());
  EXPECT_FALSE(lookup(cache, 99).has_value());
  EXPECT_EQ(f.counting->twin_lookups.load(), 2);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TwinCache, BoundedAndExpiring) {
  Fixture f;
  TwinCache small(*f.counting, 2, 300s);
  lookup(small, 10);
  lookup(small, 11);
  lookup(small, 12);
  EXPECT_EQ(small.size(), 2u);
  lookup(small, 10);  // evicted as least recently used
  EXPECT_EQ(f.counting->twin_lookups.load(), 4);

  TwinCache instant(*f.counting, 10, 0s);
  lookup(instant, 10);
  lookup(instant, 10);
  EXPECT_EQ(f.counting->twin_lookups.load(), 6);
}

TEST(TwinCache, ForgetDropsAnEntry) {
  Fixture f;
  TwinCache cache(*f.counting, 10, 300s);
  lookup(cache, 10);
  cache.forget(10);
  lookup(cache, 10);
  EXPECT_EQ(f.counting->twin_lookups.load(), 2);
}

}  // namespace
}  // namespace rmb::gateway
