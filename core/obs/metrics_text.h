#pragma once
// The Prometheus text exposition format, version 0.0.4: "# HELP" and "# TYPE" lines, then
// one line per sample; histograms as _bucket{le=...} (cumulative), _sum and _count.
#include <string>
#include <string_view>
#include <vector>

#include "core/obs/metrics_data.h"

namespace rmb::core::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4";

// A label value with backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

void append_text(std::string& out, const FamilyData& family);
std::string render_text(const std::vector<FamilyData>& families);

}  // namespace rmb::core::metrics
