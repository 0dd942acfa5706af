// Checks the runtime stage of the Dockerfile without a Docker engine: every shared
// library that rmb, rmb-peer and rmb-relay load (ldd) must come from a package the stage
// installs (its `apt-get install` list, with the dependencies apt pulls in) or from the
// few libraries every Debian 12 image has. The builder is this machine (same install
// script), so the binaries here link what the image's binaries link.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string env_or_fail(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Runs a shell command, returns its stdout (and sets *status).
std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int st = ::pclose(pipe);
  if (status) *status = st;
  return out;
}

// The packages named by `apt-get install` in the stage `FROM ... AS runtime`, with the
// shell's line continuations joined.
std::vector<std::string> runtime_packages(const std::string& dockerfile) {
  std::ifstream in(dockerfile);
  std::stringstream text;
  text << in.rdbuf();
  std::string joined = std::regex_replace(text.str(), std::regex("\\\\\\n"), " ");
  std::istringstream lines(joined);
  std::string line;
  bool in_runtime = false;
  std::vector<std::string> packages;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, std::regex("^FROM\\s", std::regex::icase))) {
      in_runtime = std::regex_search(line, std::regex("\\sAS\\s+runtime\\s*$", std::regex::icase));
      continue;
    }
    if (!in_runtime) continue;
    const auto at = line.find("apt-get install");
    if (at == std::string::npos) continue;
    std::istringstream words(line.substr(at + std::string("apt-get install").size()));
    std::string w;
    while (words >> w) {
      if (w == "&&" || w == ";" || w == "|") break;
      if (w.starts_with("-")) continue;
      packages.push_back(w);
    }
  }
  return packages;
}

// Every package `packages` pulls in (Depends and PreDepends, recursively), themselves included.
std::set<std::string> closure(const std::vector<std::string>& packages) {
  std::string cmd =
      "apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks "
      "--no-replaces --no-enhances";
  for (const auto& p : packages) cmd += " " + p;
  std::set<std::string> out;
  std::istringstream lines(run(cmd));
  std::string line;
  std::regex dep("^\\s+\\|?(Pre)?Depends:\\s+<?([a-z0-9.+-]+)");
  std::regex name("^([a-z0-9.+-]+)(:[a-z0-9]+)?$");
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, m, dep)) out.insert(m[2]);
    else if (std::regex_match(line, m, name)) out.insert(m[1]);
  }
  return out;
}

// The Debian package that owns `path` (merged /usr: try both spellings).
std::string owner(const std::string& path) {
  std::vector<std::string> tries = {path, fs::weakly_canonical(path).string()};
  for (const std::string& p : std::vector<std::string>(tries)) {
    if (p.starts_with("/usr/lib/")) tries.push_back(p.substr(4));
    else if (p.starts_with("/lib/")) tries.push_back("/usr" + p);
  }
  for (const auto& p : tries) {
    const std::string out = run("dpkg -S '" + p + "'");
    if (out.empty()) continue;
    // "libfoo1:amd64: /usr/lib/..." (diversions and several owners: take the first)
    return out.substr(0, out.find_first_of(":,"));
  }
  return "";
}

TEST(DockerRuntime, RuntimeStageInstallsEveryLibraryTheBinariesLoad) {
  const std::string source = env_or_fail("RMB_SOURCE_DIR");
  const std::string build = env_or_fail("RMB_BUILD_DIR");
  ASSERT_FALSE(source.empty());
  ASSERT_FALSE(build.empty());
  if (run("command -v dpkg").empty() || run("command -v apt-cache").empty()) {
    GTEST_SKIP() << "needs a Debian system (dpkg, apt-cache)";
  }
  const auto packages = runtime_packages(source + "/Dockerfile");
  ASSERT_FALSE(packages.empty()) << "no apt-get install line in the runtime stage of the Dockerfile";
  for (const auto& p : packages) {
    int status = 0;
    run("apt-cache show '" + p + "'", &status);
    EXPECT_EQ(status, 0) << "the runtime stage installs '" << p << "', which apt does not know";
  }
  const std::set<std::string> provided = closure(packages);
  // In every debian:12-slim image (Essential / Priority: required).
  const std::set<std::string> base = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libzstd1", "liblzma5",
                                      "libbz2-1.0", "libselinux1", "libpcre2-8-0", "libmd0", "libcrypt1"};

  std::map<std::string, std::string> binaries = {{"rmb", build + "/tools/rmb"},
                                                 {"rmb-relay", build + "/relay/rmb-relay"},
                                                 {"rmb-peer", build + "/gateway/rmb-peer"}};
  size_t checked = 0;
  for (const auto& [name, path] : binaries) {
    if (!fs::exists(path)) {
      // rmb-peer joins the build once gateway/main.cc exists; the others always build.
      EXPECT_EQ(name, "rmb-peer") << path << " is missing: build it first";
      continue;
    }
    ++checked;
    std::istringstream lines(run("ldd '" + path + "'"));
    std::string line;
    std::regex resolved("^\\s*(\\S+) => (/\\S+) \\(");
    std::regex missing("^\\s*(\\S+) => not found");
    std::smatch m;
    size_t libs = 0;
    while (std::getline(lines, line)) {
      if (std::regex_search(line, m, missing)) {
        ADD_FAILURE() << name << ": " << m[1] << " not found on this machine";
        continue;
      }
      if (!std::regex_search(line, m, resolved)) continue;  // vdso, the loader
      ++libs;
      const std::string lib = m[1], file = m[2];
      const std::string pkg = owner(file);
      ASSERT_FALSE(pkg.empty()) << name << ": no Debian package owns " << file << " (" << lib
                                << "): built against a library installed by hand?";
      EXPECT_TRUE(provided.count(pkg) || base.count(pkg))
          << name << " loads " << lib << " from package " << pkg
          << ", which the Dockerfile's runtime stage does not install: add it to the apt-get install list";
    }
    EXPECT_GT(libs, 3u) << "ldd of " << path << " listed no libraries";
    std::printf("%s: %zu shared libraries, all provided by the runtime stage\n", name.c_str(), libs);
  }
  EXPECT_GE(checked, 2u);
}

TEST(DockerRuntime, ImageRunsThePeerAsNonRootWithAHealthCheck) {
  std::ifstream in(std::string(env_or_fail("RMB_SOURCE_DIR")) + "/Dockerfile");
  std::stringstream text;
  text << in.rdbuf();
  const std::string d = text.str();
  const auto runtime = d.find(" AS runtime");
  ASSERT_NE(runtime, std::string::npos);
  const std::string stage = d.substr(runtime);
  EXPECT_NE(stage.find("USER rmb"), std::string::npos);
  EXPECT_NE(stage.find("ENTRYPOINT [\"rmb-peer\"]"), std::string::npos);
  EXPECT_NE(stage.find("HEALTHCHECK"), std::string::npos);
  EXPECT_NE(stage.find("rmb health"), std::string::npos);
  EXPECT_NE(stage.find("EXPOSE 7070"), std::string::npos);
  for (const char* bin : {"rmb", "rmb-peer", "rmb-relay"}) {
    EXPECT_NE(d.find(std::string("/") + bin + " "), std::string::npos) << bin << " is not copied into the image";
  }
}

}  // namespace
