// The Prometheus text exposition: HELP/TYPE lines, escaping, histogram series.
#include "core/obs/metrics_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/obs/metrics.h"

namespace rmb::core::metrics {
namespace {

TEST(EscapeLabelValue, EscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value(""), "");
}

TEST(RenderText, CounterGaugeAndLabelledFamily) {
  Registry r;
  r.counter("relay_message_rx", "Binary frames received").inc(7);
  r.gauge("pending", "Waiting now").set(-2);
  auto& drops = r.counter_family("relay_drops_total", "Messages dropped, by reason", {"reason"});
  drops.with("text_frame").inc();
  drops.with("odd \"one\"\\\n").inc(3);
  EXPECT_EQ(r.render(),
            "# HELP relay_message_rx Binary frames received\n"
            "# TYPE relay_message_rx counter\n"
            "relay_message_rx 7\n"
            "# HELP pending Waiting now\n"
            "# TYPE pending gauge\n"
            "pending -2\n"
            "# HELP relay_drops_total Messages dropped, by reason\n"
            "# TYPE relay_drops_total counter\n"
            "relay_drops_total{reason=\"odd \\\"one\\\"\\\\\\n\"} 3\n"
            "relay_drops_total{reason=\"text_frame\"} 1\n");
}

TEST(RenderText, AnEmptyFamilyStillHasItsHelpAndType) {
  Registry r;
  r.counter_family("relay_session_evictions_total", "Sessions closed", {"reason"});
  EXPECT_EQ(r.render(),
            "# HELP relay_session_evictions_total Sessions closed\n"
            "# TYPE relay_session_evictions_total counter\n");
}

TEST(RenderText, HelpEscapesBackslashAndNewline) {
  FamilyData f{"x", "a\\b\nc \"q\"", MetricType::kGauge, {}, {{{}, int64_t{1}}}, {}};
  EXPECT_EQ(render_text({f}), "# HELP x a\\\\b\\nc \"q\"\n# TYPE x gauge\nx 1\n");
}

TEST(RenderText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.histogram("route_seconds", "Time to route", {0.00001, 0.0025, 1});
  h.observe(0.000005);
  h.observe(0.002);
  h.observe(0.002);
  h.observe(3);
  EXPECT_EQ(r.render(),
            "# HELP route_seconds Time to route\n"
            "# TYPE route_seconds histogram\n"
            "route_seconds_bucket{le=\"1e-05\"} 1\n"
            "route_seconds_bucket{le=\"0.0025\"} 3\n"
            "route_seconds_bucket{le=\"1\"} 3\n"
            "route_seconds_bucket{le=\"+Inf\"} 4\n"
            "route_seconds_sum 3.004\n"
            "route_seconds_count 4\n");
}

TEST(RenderText, LabelledHistogramPutsLeAfterItsLabels) {
  Registry r;
  r.histogram_family("lat", "l", {"dest"}, {1}).with("a\"b").observe(0.5);
  EXPECT_EQ(r.render(),
            "# HELP lat l\n"
            "# TYPE lat histogram\n"
            "lat_bucket{dest=\"a\\\"b\",le=\"1\"} 1\n"
            "lat_bucket{dest=\"a\\\"b\",le=\"+Inf\"} 1\n"
            "lat_sum{dest=\"a\\\"b\"} 0.5\n"
            "lat_count{dest=\"a\\\"b\"} 1\n");
}

TEST(RenderText, ValuesKeepTheirKind) {
  FamilyData f{"v", "h", MetricType::kGauge, {"k"}, {}, {}};
  f.samples.push_back({{"u"}, uint64_t{18446744073709551615u}});
  f.samples.push_back({{"i"}, int64_t{-1234567}});
  f.samples.push_back({{"d"}, 1234567.0});  // doubles in their short %g form
  f.samples.push_back({{"inf"}, std::numeric_limits<double>::infinity()});
  f.samples.push_back({{"nan"}, std::nan("")});
  EXPECT_EQ(render_text({f}),
            "# HELP v h\n# TYPE v gauge\n"
            "v{k=\"u\"} 18446744073709551615\n"
            "v{k=\"i\"} -1234567\n"
            "v{k=\"d\"} 1.23457e+06\n"
            "v{k=\"inf\"} +Inf\n"
            "v{k=\"nan\"} NaN\n");
}

}  // namespace
}  // namespace rmb::core::metrics
