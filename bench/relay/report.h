#pragma once
// Plain-text tables and number formatting for the bench output.
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace rmb::bench {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

std::string format_count(double value);  // 1234567 -> "1,234,567"
std::string format_fixed(double value, int decimals);
std::string format_bytes(size_t bytes);  // 64 -> "64 B", 1024 -> "1 KiB"
// a / b with two decimals, or "n/a" when either side is missing.
std::string format_ratio(double a, double b);

}  // namespace rmb::bench
