#include "core/obs/metrics_text.h"

#include <cmath>

#include "core/obs/log.h"

namespace rmb::core::metrics {

namespace {

// HELP text escapes backslash and newline only (the format leaves quotes alone there).
std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return cat(v);
}

std::string format_value(const SampleValue& value) {
  return std::visit(
      [](auto v) -> std::string {
        if constexpr (std::is_same_v<decltype(v), double>) {
          return format_double(v);
        } else {
          return cat(v);
        }
      },
      value);
}

// {a="x",b="y"} plus an optional trailing le="..."; empty when there are no labels at all.
std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view le = {}) {
  if (names.empty() && le.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    append(&out, names[i], "=\"", escape_label_value(i < values.size() ? values[i] : std::string()), "\"");
  }
  if (!le.empty()) append(&out, names.empty() ? "" : ",", "le=\"", le, "\"");
  out += '}';
  return out;
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void append_text(std::string& out, const FamilyData& f) {
  append(&out, "# HELP ", f.name, " ", escape_help(f.help), "\n# TYPE ", f.name, " ", type_name(f.type), "\n");
  for (const auto& s : f.samples) {
    append(&out, f.name, label_set(f.label_names, s.label_values), " ", format_value(s.value), "\n");
  }
  for (const auto& h : f.histograms) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h.bounds.size(); ++i) {
      cumulative += i < h.buckets.size() ? h.buckets[i] : 0;
      append(&out, f.name, "_bucket", label_set(f.label_names, h.label_values, format_double(h.bounds[i])), " ",
             cumulative, "\n");
    }
    // +Inf is every observation, whatever the bucket counts read a moment earlier said.
    append(&out, f.name, "_bucket", label_set(f.label_names, h.label_values, "+Inf"), " ", h.count, "\n");
    append(&out, f.name, "_sum", label_set(f.label_names, h.label_values), " ", format_double(h.sum), "\n");
    append(&out, f.name, "_count", label_set(f.label_names, h.label_values), " ", h.count, "\n");
  }
}

std::string render_text(const std::vector<FamilyData>& families) {
  std::string out;
  for (const auto& f : families) append_text(out, f);
  return out;
}

}  // namespace rmb::core::metrics
