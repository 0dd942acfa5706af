#include "tests/interop/crypto/oracle.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace rmb::core::interop {

nlohmann::json ask_oracle(const nlohmann::json& requests) {
  const char* source = std::getenv("RMB_SOURCE_DIR");
  if (source == nullptr) {
    ADD_FAILURE() << "RMB_SOURCE_DIR is not set (run through ctest)";
    return nlohmann::json::array();
  }
  char path[] = "/tmp/rmb-oracle-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    ADD_FAILURE() << "mkstemp failed";
    return nlohmann::json::array();
  }
  close(fd);
  std::ofstream(path) << requests.dump();

  const std::string cmd = std::string("/usr/bin/python3 ") + source + "/tests/interop/crypto/crypto_oracle.py " + path;
  std::string out;
  if (FILE* pipe = popen(cmd.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
    const int rc = pclose(pipe);
    EXPECT_EQ(rc, 0) << "oracle failed: " << cmd;
  } else {
    ADD_FAILURE() << "popen failed: " << cmd;
  }
  std::remove(path);
  auto parsed = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_array() || parsed.size() != requests.size()) {
    ADD_FAILURE() << "bad oracle output: " << out;
    return nlohmann::json::array();
  }
  return parsed;
}

}  // namespace rmb::core::interop
