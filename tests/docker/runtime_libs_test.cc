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

// Runs a shell command, returns its stdout.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  ::pclose(pipe);
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
    if (std::regex_search(line, m, dep))
      out.insert(m[2]);
    else if (std::regex_match(line, m, name))
      out.insert(m[1]);
  }
  return out;
}

// The Debian package that owns each of `paths` ("" when none does). One `dpkg -S` for all of
// them: each call reads the whole package database (1-2 s on a loaded machine), and the three
// binaries load some 60 distinct libraries, so one call per library took minutes.
std::map<std::string, std::string> owners(const std::set<std::string>& paths) {
  // Merged /usr: a library may be registered under /lib or /usr/lib, or under its link target.
  std::map<std::string, std::vector<std::string>> spellings;
  std::string cmd = "dpkg -S";
  for (const auto& path : paths) {
    std::vector<std::string> tries = {path, fs::weakly_canonical(path).string()};
    for (const std::string& p : std::vector<std::string>(tries)) {
      if (p.starts_with("/usr/lib/"))
        tries.push_back(p.substr(4));
      else if (p.starts_with("/lib/"))
        tries.push_back("/usr" + p);
    }
    for (const auto& t : tries) cmd += " '" + t + "'";
    spellings[path] = std::move(tries);
  }
  // "libfoo1:amd64: /usr/lib/..." or, with several owners, "a:amd64, b:amd64: /path" (take the
  // first); "diversion by ..." lines have no package and do not match.
  std::map<std::string, std::string> by_spelling;
  std::istringstream lines(run(cmd));
  std::regex owned("^([a-z0-9.+-]+)(:[a-z0-9]+)?(, [^:]+(:[a-z0-9]+)?)*: (/\\S+)$");
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, owned)) by_spelling.emplace(m[5], m[1]);
  }
  std::map<std::string, std::string> out;
  for (const auto& [path, tries] : spellings) {
    auto& pkg = out[path];
    for (const auto& t : tries) {
      if (auto it = by_spelling.find(t); it != by_spelling.end()) {
        pkg = it->second;
        break;
      }
    }
  }
  return out;
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
  // One apt-cache call for all: each one loads apt's whole cache (3-4 s on a loaded machine).
  std::string show = "apt-cache show --no-all-versions";
  for (const auto& p : packages) show += " '" + p + "'";
  std::set<std::string> known;
  {
    std::istringstream lines(run(show));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.starts_with("Package: ")) known.insert(line.substr(9));
    }
  }
  for (const auto& p : packages) {
    EXPECT_TRUE(known.count(p)) << "the runtime stage installs '" << p << "', which apt does not know";
  }
  const std::set<std::string> provided = closure(packages);
  // In every debian:12-slim image (Essential / Priority: required).
  const std::set<std::string> base = {"libc6",      "libgcc-s1",   "libstdc++6",   "zlib1g", "libzstd1", "liblzma5",
                                      "libbz2-1.0", "libselinux1", "libpcre2-8-0", "libmd0", "libcrypt1"};

  std::map<std::string, std::string> binaries = {{"rmb", build + "/tools/rmb"},
                                                 {"rmb-relay", build + "/relay/rmb-relay"},
                                                 {"rmb-peer", build + "/gateway/rmb-peer"}};
  // What each binary loads (ldd), then who owns all of those files, in one dpkg call.
  struct Loaded {
    std::string binary, lib, file;
  };
  std::vector<Loaded> loaded;
  std::map<std::string, size_t> libs_of;
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
    while (std::getline(lines, line)) {
      if (std::regex_search(line, m, missing)) {
        ADD_FAILURE() << name << ": " << m[1] << " not found on this machine";
        continue;
      }
      if (!std::regex_search(line, m, resolved)) continue;  // vdso, the loader
      loaded.push_back({name, m[1], m[2]});
      ++libs_of[name];
    }
    EXPECT_GT(libs_of[name], 3u) << "ldd of " << path << " listed no libraries";
  }
  std::set<std::string> files;
  for (const auto& l : loaded) files.insert(l.file);
  const auto owner = owners(files);
  for (const auto& l : loaded) {
    const std::string& pkg = owner.at(l.file);
    EXPECT_FALSE(pkg.empty()) << l.binary << ": no Debian package owns " << l.file << " (" << l.lib
                              << "): built against a library installed by hand?";
    if (pkg.empty()) continue;
    EXPECT_TRUE(provided.count(pkg) || base.count(pkg))
        << l.binary << " loads " << l.lib << " from package " << pkg
        << ", which the Dockerfile's runtime stage does not install: add it to the apt-get install list";
  }
  for (const auto& [name, n] : libs_of) std::printf("%s: %zu shared libraries checked\n", name.c_str(), n);
  EXPECT_GE(checked, 2u);
}

// The text of stage `name` (from its FROM line to the next FROM).
std::string stage_text(const std::string& dockerfile, const std::string& name) {
  const std::regex from("(^|\\n)FROM [^\\n]* AS " + name + "\\n", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(dockerfile, m, from)) return {};
  const size_t start = static_cast<size_t>(m.position(0));
  const size_t next = dockerfile.find("\nFROM ", start + 1);
  return dockerfile.substr(start, next == std::string::npos ? std::string::npos : next - start);
}

TEST(DockerRuntime, OneImagePerBinaryAtRmbRsPathsNonRootWithFittingHealthChecks) {
  std::ifstream in(std::string(env_or_fail("RMB_SOURCE_DIR")) + "/Dockerfile");
  std::stringstream text;
  text << in.rdbuf();
  const std::string d = text.str();

  const std::string relay = stage_text(d, "relay");
  ASSERT_FALSE(relay.empty()) << "no 'relay' stage (docker build --target relay)";
  EXPECT_NE(relay.find("FROM runtime AS relay"), std::string::npos);
  EXPECT_NE(relay.find("/usr/sbin/rmb-relay"), std::string::npos);
  EXPECT_NE(relay.find("ENTRYPOINT [\"/usr/sbin/rmb-relay\"]"), std::string::npos);
  EXPECT_NE(relay.find("USER rmb"), std::string::npos);
  // The chart binds 0.0.0.0:80 without root.
  EXPECT_NE(relay.find("setcap cap_net_bind_service=+ep /usr/sbin/rmb-relay"), std::string::npos);
  EXPECT_NE(relay.find("EXPOSE 80"), std::string::npos);
  // A relay is checked as a relay (GET /healthz), not through rmb-peer's gRPC.
  EXPECT_NE(relay.find("HEALTHCHECK"), std::string::npos);
  EXPECT_NE(relay.find("/healthz"), std::string::npos);
  EXPECT_EQ(relay.find("rmb health"), std::string::npos);

  const std::string peer = stage_text(d, "peer");
  ASSERT_FALSE(peer.empty()) << "no 'peer' stage (docker build --target peer)";
  EXPECT_NE(peer.find("FROM runtime AS peer"), std::string::npos);
  EXPECT_NE(peer.find("ENTRYPOINT [\"/usr/sbin/rmb-peer\"]"), std::string::npos);
  EXPECT_NE(peer.find("USER rmb"), std::string::npos);
  EXPECT_NE(peer.find("rmb health"), std::string::npos);
  EXPECT_NE(peer.find("EXPOSE 7070"), std::string::npos);
  EXPECT_NE(peer.find("/out/rmb /usr/local/bin/rmb"), std::string::npos);

  // The default target (the last stage) still holds all three.
  const std::string all = stage_text(d, "all");
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(d.rfind("\nFROM "), d.find("\nFROM peer AS all")) << "'all' must be the last stage";
  EXPECT_NE(all.find("/usr/sbin/rmb-relay"), std::string::npos);
}

}  // namespace
