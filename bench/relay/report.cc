#include "bench/relay/report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace rmb::bench {

void Table::print(std::ostream& out) const {
  std::vector<size_t> width(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      text += cell;
      if (i + 1 < width.size()) text += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  };
  line(headers_);
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : rows_) line(row);
  out.flush();
}

std::string format_count(double value) {
  std::string digits = absl::StrFormat("%.0f", value);
  std::string out;
  const size_t start = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_fixed(double value, int decimals) { return absl::StrFormat("%.*f", decimals, value); }

std::string format_bytes(size_t bytes) {
  if (bytes >= 1024 && bytes % 1024 == 0) return absl::StrFormat("%d KiB", bytes / 1024);
  return absl::StrFormat("%d B", bytes);
}

std::string format_ratio(double a, double b) {
  if (!(a > 0) || !(b > 0) || !std::isfinite(a / b)) return "n/a";
  return absl::StrFormat("%.2f", a / b);
}

}  // namespace rmb::bench
