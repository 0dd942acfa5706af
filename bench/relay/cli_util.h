#pragma once
// Command-line pieces every bench shares: comma-separated number lists, finding a server
// binary on PATH, and Boost.Program_options parsing with --help and clear errors.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rmb::bench {

// "1,16" -> {1, 16}; nullopt when empty, not a number, or 0 without `allow_zero`.
std::optional<std::vector<size_t>> parse_list(const std::string& text, bool allow_zero = false);

// A binary of the same build tree: <build>/bench/<dir>/<bench> -> <build>/<relative>, or
// `fallback` when /proc/self/exe cannot be read.
std::string sibling_binary(const std::string& relative, const std::string& fallback);

// The first executable `name` on $PATH, else `name` itself (the error then names it).
std::string find_in_path(const std::string& name);

// Seconds from the command line as a duration.
inline std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

// Parses argv against `options`. nullopt means: stop with *exit_code (0 after printing
// --help, 2 after printing "<program>: <error>").
std::optional<boost::program_options::variables_map> parse_command_line(
    int argc, char** argv, const boost::program_options::options_description& options, const char* program,
    int* exit_code);

}  // namespace rmb::bench
