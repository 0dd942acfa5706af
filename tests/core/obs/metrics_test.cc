// The registry: counters, gauges, histograms, labelled families, collectors.
#include "core/obs/metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <thread>

namespace rmb::core::metrics {
namespace {

TEST(Histogram, ObservationsLandInTheFirstBucketAtOrAboveThem) {
  Histogram h({0.001, 0.01, 1});
  h.observe(0.0005);
  h.observe(0.001);  // bounds are inclusive
  h.observe(0.007);
  h.observe(120);  // +Inf
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(2), 0u);
  EXPECT_EQ(h.bucket(3), 1u);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_NEAR(h.sum(), 120.0085, 1e-9);
}

TEST(Histogram, RefusesBoundsOutOfOrder) { EXPECT_THROW(Histogram({1, 0.5}), std::invalid_argument); }

TEST(Registry, ANameIsRegisteredOnce) {
  Registry r;
  r.counter("x_total", "x");
  EXPECT_THROW(r.gauge("x_total", "again"), std::invalid_argument);
}

TEST(Registry, CollectsInRegistrationOrderWithChildrenSortedByLabel) {
  Registry r;
  auto& c = r.counter("c_total", "c");
  auto& drops = r.counter_family("drops_total", "d", {"reason"});
  auto& g = r.gauge("g", "g");
  r.gauge_callback("cb", "read at scrape time", [] { return 2.5; });
  r.add_collector([](std::vector<FamilyData>& out) {
    out.push_back({"ext", "from elsewhere", MetricType::kCounter, {}, {{{}, uint64_t{9}}}, {}});
  });
  c.inc(3);
  drops.with("zeta").inc();
  drops.with("alpha").inc(2);
  g.set(-4);

  const auto families = r.collect();
  ASSERT_EQ(families.size(), 5u);
  EXPECT_EQ(families[0].name, "c_total");
  EXPECT_EQ(std::get<uint64_t>(families[0].samples.at(0).value), 3u);
  EXPECT_EQ(families[1].name, "drops_total");
  ASSERT_EQ(families[1].samples.size(), 2u);
  EXPECT_EQ(families[1].samples[0].label_values, std::vector<std::string>{"alpha"});
  EXPECT_EQ(std::get<uint64_t>(families[1].samples[0].value), 2u);
  EXPECT_EQ(families[1].samples[1].label_values, std::vector<std::string>{"zeta"});
  EXPECT_EQ(families[2].name, "g");
  EXPECT_EQ(std::get<int64_t>(families[2].samples.at(0).value), -4);
  EXPECT_EQ(families[3].name, "cb");
  EXPECT_EQ(std::get<double>(families[3].samples.at(0).value), 2.5);
  EXPECT_EQ(families[4].name, "ext");
}

TEST(Family, OneChildPerLabelValuesAndTheSameReferenceEveryTime) {
  Registry r;
  auto& f = r.counter_family("req_total", "r", {"method", "code"});
  Counter& a = f.with("GET", "200");
  EXPECT_EQ(&a, &f.with(std::string("GET"), std::string_view("200")));
  EXPECT_NE(&a, &f.with("GET", "404"));
  EXPECT_THROW(f.with("GET"), std::invalid_argument);
}

TEST(Family, ConcurrentFirstUseMakesOneChildAndLosesNoIncrement) {
  Registry r;
  auto& f = r.counter_family("n_total", "n", {"k"});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f] {
      for (int i = 0; i < kPerThread; ++i) f.with(std::to_string(i % 16)).inc();
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> labels;
  uint64_t total = 0;
  f.for_each([&](const std::vector<std::string>& values, const Counter& c) {
    EXPECT_TRUE(labels.insert(values.at(0)).second) << "duplicate child " << values.at(0);
    total += c.value();
  });
  EXPECT_EQ(labels.size(), 16u);
  EXPECT_EQ(total, uint64_t{kThreads} * kPerThread);
}

TEST(Family, HistogramChildrenShareTheFamilyBounds) {
  Registry r;
  auto& f = r.histogram_family("lat_seconds", "l", {"dest"}, {0.1, 1});
  f.with("a").observe(0.5);
  EXPECT_EQ(f.with("a").bounds(), (std::vector<double>{0.1, 1}));
  EXPECT_EQ(f.with("a").bucket(1), 1u);
  EXPECT_EQ(f.with("b").count(), 0u);
  EXPECT_THROW(r.histogram_family("bad", "b", {"x"}, {2, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace rmb::core::metrics
