#include "tools/devnet_launcher.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "tools/command.h"

namespace rmb::tools::devnet {

namespace fs = std::filesystem;

LogTail::LogTail(const std::vector<Proc>& procs) {
  for (const auto& p : procs) files_.push_back({p.name, p.log, 0, ""});
}

void LogTail::add(const Proc& p) { files_.push_back({p.name, p.log, 0, ""}); }

void LogTail::skip_existing() {
  for (auto& f : files_) {
    std::error_code ec;
    f.offset = fs::file_size(f.path, ec);
    if (ec) f.offset = 0;
  }
}

void LogTail::pump() {
  for (auto& f : files_) {
    std::ifstream in(f.path, std::ios::binary);
    if (!in) continue;
    in.seekg(static_cast<std::streamoff>(f.offset));
    std::string chunk((std::istreambuf_iterator<char>(in)), {});
    f.offset += chunk.size();
    f.partial += chunk;
    size_t nl;
    while ((nl = f.partial.find('\n')) != std::string::npos) {
      std::cout << "[" << f.name << "] " << f.partial.substr(0, nl) << "\n";
      f.partial.erase(0, nl + 1);
    }
  }
  std::cout.flush();
}

Launcher::~Launcher() {
  if (!committed_) stop();
}

void Launcher::stop() {
  stop_all(stop_order(state_));
  std::error_code ec;
  fs::remove(state_path(state_.dir), ec);
}

const Proc& Launcher::start(SpawnSpec spec) {
  std::string error;
  const pid_t pid = spawn(spec, &error);
  if (pid < 0) throw failure("cannot start " + spec.name + ": " + error);
  state_.procs.push_back({spec.name, pid, spec.argv.front(), spec.log_path});
  save_state(state_);  // at once, so `down` can find it even if `up` dies now
  return state_.procs.back();
}

void Launcher::wait_ready(const Proc& p, const std::function<bool()>& ready, const std::string& what,
                          std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (signals_.signalled()) throw failure("interrupted while " + p.name + " was starting; stopped everything");
    if (auto how = reap_if_exited(p.pid)) {
      throw failure(p.name + " exited (" + *how + ") before it was " + what + "; the end of " + p.log + ":\n" +
                        tail_file(p.log, 15),
                    "fix the cause above and run 'rmb devnet up' again");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw failure(p.name + " was not " + what + " after " + std::to_string(timeout.count()) + " s; the end of " +
                        p.log + ":\n" + tail_file(p.log, 15),
                    "see the whole log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool log_contains(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  return text.find(needle) != std::string::npos;
}

uint16_t pick_port(uint16_t from, std::vector<uint16_t>& taken, const std::string& what) {
  auto port = free_port_from(from, taken);
  if (!port)
    throw failure("no free port for " + what + " in " + std::to_string(from) + ".." + std::to_string(from + 199),
                  "pass another start port");
  if (*port != from) std::cerr << "rmb devnet: port " << from << " is in use, " << what << " takes " << *port << "\n";
  taken.push_back(*port);
  return *port;
}

std::string require_program(const std::string& name, const std::string& bin_dir, const std::string& hint) {
  std::string path = find_program(name, bin_dir);
  if (path.empty()) throw failure("cannot find " + name, hint);
  return path;
}

}  // namespace rmb::tools::devnet
