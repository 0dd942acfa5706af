#pragma once
// The one way tests get a private directory: make_temp_dir() (kept afterwards, so a failed
// process-level test leaves its logs and files to look at), or TempDir, the same directory
// removed when it goes out of scope.
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace rmb::test {

// A new directory $TMPDIR/<prefix>-XXXXXX (/tmp without TMPDIR).
inline std::string make_temp_dir(const std::string& prefix = "rmb-test") {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "rmb-test") : path_(make_temp_dir(prefix)) {}
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace rmb::test
