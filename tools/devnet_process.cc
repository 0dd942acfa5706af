#include "tools/devnet_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

namespace rmb::tools::devnet {
namespace fs = std::filesystem;

pid_t spawn(const SpawnSpec& spec, std::string* error) {
  const int log = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) {
    *error = "cannot open " + spec.log_path + ": " + std::strerror(errno);
    return -1;
  }
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork failed: ") + std::strerror(errno);
    ::close(log);
    return -1;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec, apart from setenv (single-threaded
    // enough here: the parent's other threads do not touch the environment).
    ::setsid();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    for (const auto& [key, value] : spec.env) ::setenv(key.c_str(), value.c_str(), 1);
    ::execv(argv[0], argv.data());
    const std::string msg = std::string("rmb devnet: cannot run ") + argv[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

bool alive(pid_t pid, const std::string& program) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (std::getline(stat, line)) {
    const auto paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z') return false;
  }
  const std::string want = fs::path(program).filename().string();
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  if (ec) return true;  // not ours to inspect; kill(0) said it exists
  std::string name = exe.filename().string();
  if (const auto del = name.find(" (deleted)"); del != std::string::npos) name.resize(del);
  if (name == want) return true;
  // The program may be a symlink (Debian's redis-server is redis-check-rdb).
  const fs::path resolved = fs::weakly_canonical(program, ec);
  if (!ec && resolved.filename().string() == name) return true;
  // A script runs under its interpreter: then the program is among the first arguments.
  // Programs that retitle themselves (redis-server) keep it as the first word.
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string arg;
  for (int i = 0; i < 2 && std::getline(cmdline, arg, '\0'); ++i) {
    if (fs::path(arg.substr(0, arg.find(' '))).filename().string() == want) return true;
  }
  return false;
}

std::optional<std::string> reap_if_exited(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

void stop_all(const std::vector<std::pair<pid_t, std::string>>& procs, std::chrono::milliseconds grace) {
  for (const auto& [pid, program] : procs) {
    if (alive(pid, program)) ::kill(pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    bool any = false;
    for (const auto& [pid, program] : procs) {
      (void)reap_if_exited(pid);
      if (alive(pid, program)) any = true;
    }
    if (!any) return;
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const auto& [pid, program] : procs) {
    if (alive(pid, program)) {
      ::kill(pid, SIGKILL);
      int status = 0;
      (void)::waitpid(pid, &status, 0);
    }
  }
}

namespace {
// bind() or connect() on 127.0.0.1:port with a fresh socket; whether it succeeded.
template <class Op>
bool loopback_succeeds(uint16_t port, Op op) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = op(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

bool can_bind(uint16_t port) { return loopback_succeeds(port, ::bind); }
}  // namespace

std::optional<uint16_t> free_port_from(uint16_t from, const std::vector<uint16_t>& taken) {
  for (uint32_t port = from; port < 65536 && port < static_cast<uint32_t>(from) + 200; ++port) {
    const auto p = static_cast<uint16_t>(port);
    if (std::find(taken.begin(), taken.end(), p) != taken.end()) continue;
    // Something may listen on the wildcard address or only on ::1; binding 127.0.0.1
    // catches the first, a connect attempt the rest.
    if (can_bind(p) && !port_accepts(p)) return p;
  }
  return std::nullopt;
}

bool port_accepts(uint16_t port) { return loopback_succeeds(port, ::connect); }

std::string tail_file(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "    " + l + "\n";
  return out;
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("rmb") : p.string();
}

std::string find_program(const std::string& name, const std::string& bin_dir) {
  const fs::path self_dir = fs::path(self_exe()).parent_path();
  std::vector<fs::path> candidates;
  if (!bin_dir.empty()) {
    candidates = {fs::path(bin_dir) / name, fs::path(bin_dir) / "relay" / name, fs::path(bin_dir) / "gateway" / name};
  }
  candidates.push_back(self_dir / name);
  candidates.push_back(self_dir.parent_path() / "relay" / name);
  candidates.push_back(self_dir.parent_path() / "gateway" / name);
  if (const char* path = std::getenv("PATH")) {
    std::string all = path;
    size_t start = 0;
    while (start <= all.size()) {
      const size_t end = std::min(all.find(':', start), all.size());
      if (end > start) candidates.push_back(fs::path(all.substr(start, end - start)) / name);
      start = end + 1;
    }
  }
  for (const auto& c : candidates) {
    if (::access(c.c_str(), X_OK) == 0 && fs::is_regular_file(c)) return fs::absolute(c).lexically_normal().string();
  }
  return "";
}

}  // namespace rmb::tools::devnet
