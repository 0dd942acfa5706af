#pragma once
// A metric family as read at scrape time: what the registry hands to the text exposition,
// and what a collector (Registry::add_collector) produces for values it keeps itself.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace rmb::core::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// Integers are written as integers; a double as its shortest %g form (6 digits).
using SampleValue = std::variant<uint64_t, int64_t, double>;

struct Sample {
  std::vector<std::string> label_values;  // one per FamilyData::label_names
  SampleValue value;
};

struct HistogramSample {
  std::vector<std::string> label_values;
  std::vector<double> bounds;
  std::vector<uint64_t> buckets;  // non-cumulative, bounds.size() + 1 (the last is +Inf)
  uint64_t count = 0;
  double sum = 0;
};

struct FamilyData {
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<std::string> label_names;
  std::vector<Sample> samples;              // counters and gauges
  std::vector<HistogramSample> histograms;  // histograms
};

}  // namespace rmb::core::metrics
