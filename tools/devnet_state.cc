#include "tools/devnet_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/protocol/identity/mnemonic.h"
#include "core/protocol/identity/secret.h"
#include "tools/command.h"
#include "tools/devnet_process.h"

namespace rmb::tools::devnet {
namespace {

namespace fs = std::filesystem;

constexpr char kStateFile[] = "devnet.json";

}  // namespace

std::string state_path(const std::string& dir) { return (fs::path(dir) / kStateFile).string(); }

Json to_json(const State& s) {
  Json procs = Json::array();
  for (const auto& p : s.procs)
    procs.push_back({{"name", p.name}, {"pid", p.pid}, {"program", p.program}, {"log", p.log}});
  Json peers = Json::array();
  for (const auto& p : s.peers) {
    peers.push_back(
        {{"twin", p.twin}, {"grpc", p.grpc}, {"metrics", p.metrics}, {"redis", p.redis}, {"account", p.account}});
  }
  return {{"supervisor_pid", s.supervisor}, {"relay", s.relay_url}, {"relay_port", s.relay_port},
          {"redis", s.redis_url},           {"peers", peers},       {"processes", procs}};
}

std::optional<State> load_state(const std::string& dir) {
  std::ifstream in(state_path(dir));
  if (!in) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(in);
    State s;
    s.dir = dir;
    s.supervisor = j.at("supervisor_pid").get<pid_t>();
    s.relay_url = j.at("relay").get<std::string>();
    s.relay_port = j.at("relay_port").get<uint16_t>();
    s.redis_url = j.at("redis").get<std::string>();
    for (const auto& p : j.at("peers")) {
      s.peers.push_back({p.at("twin").get<uint32_t>(), p.at("grpc").get<std::string>(),
                         p.at("metrics").get<std::string>(), p.at("redis").get<std::string>(),
                         p.at("account").get<std::string>()});
    }
    for (const auto& p : j.at("processes")) {
      s.procs.push_back({p.at("name").get<std::string>(), p.at("pid").get<pid_t>(), p.at("program").get<std::string>(),
                         p.at("log").get<std::string>()});
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw failure(state_path(dir) + " is not a devnet state file: " + e.what(),
                  "remove it if no devnet runs from " + dir);
  }
}

void save_state(const State& s) {
  const std::string path = state_path(s.dir);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << to_json(s).dump(2) << "\n";
    if (!out) throw failure("cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

size_t live_count(const State& s) {
  size_t n = 0;
  for (const auto& p : s.procs) n += alive(p.pid, p.program) ? 1 : 0;
  return n;
}

std::vector<std::pair<pid_t, std::string>> stop_order(const State& s) {
  std::vector<std::pair<pid_t, std::string>> out;
  for (auto it = s.procs.rbegin(); it != s.procs.rend(); ++it) out.emplace_back(it->pid, it->program);
  return out;
}

std::string twin_mnemonic(const std::string& dir, uint32_t twin) {
  const std::string path = (fs::path(dir) / ("twin" + std::to_string(twin) + ".mnemonic")).string();
  if (std::ifstream in(path); in) {
    std::string text((std::istreambuf_iterator<char>(in)), {});
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (core::parse_secret(text).ok()) return text;
  }
  auto phrase = core::generate_mnemonic(12);
  if (!phrase.ok()) throw failure(std::string(phrase.status().message()));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw failure("cannot write " + path);
  const std::string line = *phrase + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) throw failure("cannot write " + path);
  return *phrase;
}

}  // namespace rmb::tools::devnet
