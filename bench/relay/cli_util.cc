#include "bench/relay/cli_util.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace rmb::bench {

std::optional<std::vector<size_t>> parse_list(const std::string& text, bool allow_zero) {
  std::vector<size_t> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    size_t v = 0;
    if (!absl::SimpleAtoi(part, &v) || (v == 0 && !allow_zero)) return std::nullopt;
    out.push_back(v);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string sibling_binary(const std::string& relative, const std::string& fallback) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return fallback;
  return (self.parent_path().parent_path().parent_path() / relative).string();
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin:/bin", ':', absl::SkipEmpty())) {
    const std::filesystem::path candidate = std::filesystem::path(std::string(dir)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return name;
}

std::optional<boost::program_options::variables_map> parse_command_line(
    int argc, char** argv, const boost::program_options::options_description& options, const char* program,
    int* exit_code) {
  namespace po = boost::program_options;
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << program << ": " << e.what() << "\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << options << "\n";
    *exit_code = 0;
    return std::nullopt;
  }
  return vm;
}

}  // namespace rmb::bench
