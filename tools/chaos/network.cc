#include "tools/chaos/network.h"

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "core/directory/directory_file_io.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/mnemonic.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/redis/redis_conn.h"
#include "tools/command.h"
#include "tools/peer_client.h"

namespace rmb::tools::chaos {
namespace {

namespace fs = std::filesystem;

constexpr char kReadyLine[] = "rmb-peer ready";
constexpr uint32_t kRelayDb[2] = {0, 1};  // relay A, relay B
constexpr uint32_t kFirstPeerDb = 10;     // twin N's front door: db 10 + N

size_t count_in_file(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool redis_answers_pong(uint16_t port) {
  core::RedisUrl url;
  url.host = "127.0.0.1";
  url.port = port;
  auto conn = core::RedisConn::connect(url, std::chrono::milliseconds(500));
  if (!conn.ok()) return false;
  auto r = (*conn)->command({"PING"});
  // While the AOF loads, PING answers -LOADING.
  return r.ok() && (*r)->type == REDIS_REPLY_STATUS && std::string_view((*r)->str, (*r)->len) == "PONG";
}

void append_marker(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << "==== rmb chaos: " << log_time() << " " << line << " ====\n";
}

}  // namespace

Network::Network(NetworkOptions options, const Topology& topology)
    : options_(std::move(options)), topology_(topology) {}

Network::~Network() { stop(); }

uint16_t Network::port(const std::string& what) {
  auto p = devnet::free_port_from(options_.first_port, taken_);
  if (!p) {
    throw failure("no free port for " + what + " in " + std::to_string(options_.first_port) + "+200",
                  "pass another --first-port");
  }
  taken_.push_back(*p);
  return *p;
}

Network::Proc& Network::proc(const std::string& name) {
  for (auto& p : procs_) {
    if (p.name == name) return p;
  }
  throw failure("rmb chaos: no process named " + name);
}

std::string Network::relay_domain(char relay) const { return "127.0.0.1:" + std::to_string(relay_ports_.at(relay)); }
std::string Network::peer_grpc(uint32_t twin) const { return "127.0.0.1:" + std::to_string(grpc_ports_.at(twin)); }
std::string Network::peer_redis_url(uint32_t twin) const {
  return "redis://127.0.0.1:" + std::to_string(redis_port_) + "/" + std::to_string(kFirstPeerDb + twin);
}
std::string Network::logs_dir() const { return (fs::path(options_.dir) / "logs").string(); }

void Network::launch(Proc& p, const std::string& why) {
  append_marker(p.spec.log_path, why);
  std::string error;
  const pid_t pid = devnet::spawn(p.spec, &error);
  if (pid < 0) throw failure("cannot start " + p.name + ": " + error);
  p.pid = pid;
  p.up = true;
  ++p.starts;
}

void Network::wait_until(Proc& p, const std::string& what, const std::function<bool()>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (!ready()) {
    if (auto how = devnet::reap_if_exited(p.pid)) {
      p.up = false;
      throw failure(p.name + " exited (" + *how + ") before it was " + what + "; the end of " + p.spec.log_path +
                        ":\n" + devnet::tail_file(p.spec.log_path, 15),
                    "see the whole log");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw failure(p.name + " was not " + what + " after " + std::to_string(options_.start_timeout.count()) +
                        " s; the end of " + p.spec.log_path + ":\n" + devnet::tail_file(p.spec.log_path, 15),
                    "see the whole log; a loaded machine may need a longer --start-timeout");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Network::kill_and_reap(Proc& p, int signo, std::chrono::milliseconds grace) {
  if (!p.up) return;
  p.up = false;
  ::kill(p.pid, signo);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (::waitpid(p.pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(p.pid, SIGKILL);
      (void)::waitpid(p.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Network::start() {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  fs::create_directories(fs::path(options_.dir) / "logs", ec);
  fs::create_directories(fs::path(options_.dir) / "redis", ec);
  if (ec) throw failure("cannot create " + options_.dir + ": " + ec.message());
  auto log_path = [&](const std::string& name) { return (fs::path(logs_dir()) / (name + ".log")).string(); };

  // Restarts run the very binaries the run started with, even if the build tree is
  // rebuilt meanwhile (a restart would otherwise meet a half-written file or a new version).
  fs::create_directories(fs::path(options_.dir) / "bin", ec);
  for (std::string* bin : {&options_.relay_bin, &options_.peer_bin}) {
    const fs::path copy = fs::path(options_.dir) / "bin" / fs::path(*bin).filename();
    fs::copy_file(*bin, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) throw failure("cannot copy " + *bin + " to " + copy.string() + ": " + ec.message());
    *bin = fs::absolute(copy).string();
  }

  redis_port_ = port("redis-server");
  for (char r : {'A', 'B'}) relay_ports_[r] = port(std::string("relay ") + r);
  for (const auto& t : topology_.twins) grpc_ports_[t.id] = port("twin " + std::to_string(t.id) + "'s gRPC API");

  // Fresh twins for every run: keys are cheap and nothing outlives the run.
  std::vector<core::Twin> entries;
  for (const auto& spec : topology_.twins) {
    auto phrase = core::generate_mnemonic(12);
    if (!phrase.ok()) throw failure(std::string(phrase.status().message()));
    const core::Seed seed = *core::parse_secret(*phrase);
    auto signer = core::make_signer(core::KeyType::kEd25519, seed);
    auto e2e = core::E2eKey::from_seed(seed);
    if (!signer.ok() || !e2e.ok()) throw failure("cannot derive the keys of twin " + std::to_string(spec.id));
    core::Twin t;
    t.id = spec.id;
    t.account = (*signer)->account();
    t.relays = {relay_domain(spec.relay)};
    t.pk = core::Bytes(e2e->public_key().begin(), e2e->public_key().end());
    entries.push_back(t);
    mnemonics_[spec.id] = *phrase;
  }
  const std::string directory = (fs::path(options_.dir) / "twins.json").string();
  if (auto st = core::write_directory_file(directory, entries); !st.ok()) throw failure(std::string(st.message()));

  const std::string redis_base = "redis://127.0.0.1:" + std::to_string(redis_port_);
  // appendonly + everysec: a graceful SIGTERM writes and fsyncs the file before exit, so a
  // restart keeps every list and stream. No RDB snapshots (they would only add load).
  procs_.push_back({"redis",
                    {"redis",
                     {options_.redis_bin, "--port", std::to_string(redis_port_), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "yes", "--appendfsync", "everysec", "--databases", "32", "--dir",
                      fs::absolute(fs::path(options_.dir) / "redis").string()},
                     {},
                     log_path("redis")}});
  for (char r : {'A', 'B'}) {
    std::vector<std::string> args = {options_.relay_bin,
                                     "--listen",
                                     relay_domain(r),
                                     "--directory",
                                     directory,
                                     "--domain",
                                     relay_domain(r),
                                     "--federation-scheme",
                                     "http",
                                     "--redis",
                                     redis_base + "/" + std::to_string(kRelayDb[r - 'A'])};
    args.insert(args.end(), options_.relay_args.begin(), options_.relay_args.end());
    const std::string name = std::string("relay") + r;
    procs_.push_back({name, {name, args, {}, log_path(name)}});
  }
  for (const auto& t : topology_.twins) {
    std::vector<std::string> args = {
        options_.peer_bin,   "--key-type", "ed25519",       "--relay",       "ws://" + relay_domain(t.relay),
        "--directory",       directory,    "--grpc-listen", peer_grpc(t.id), "--redis",
        peer_redis_url(t.id)};
    args.insert(args.end(), options_.peer_args.begin(), options_.peer_args.end());
    const std::string name = "peer" + std::to_string(t.id);
    // The secret goes by environment, not argv, so `ps` does not show it.
    procs_.push_back({name, {name, args, {{"RMB_MNEMONIC", mnemonics_[t.id]}}, log_path(name)}});
  }

  for (auto& p : procs_) {
    std::error_code ignored;
    fs::remove(p.spec.log_path, ignored);
  }
  Proc& redis = proc("redis");
  launch(redis, "start");
  wait_until(redis, "answering PING", [&] { return redis_answers_pong(redis_port_); });
  for (char r : {'A', 'B'}) {
    Proc& relay = proc(std::string("relay") + r);
    launch(relay, "start");
    wait_until(relay, "listening", [&, r] { return devnet::port_accepts(relay_ports_[r]); });
  }
  for (const auto& t : topology_.twins) launch(proc("peer" + std::to_string(t.id)), "start");
  for (const auto& t : topology_.twins) {
    Proc& p = proc("peer" + std::to_string(t.id));
    wait_until(p, "ready", [&] { return count_in_file(p.spec.log_path, kReadyLine) >= 1; });
  }
}

void Network::stop() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<pid_t, std::string>> running;
  for (auto it = procs_.rbegin(); it != procs_.rend(); ++it) {
    if (it->up) running.emplace_back(it->pid, it->spec.argv.front());
    it->up = false;
  }
  devnet::stop_all(running);
}

void Network::kill_relay(char relay) {
  std::lock_guard lock(mutex_);
  kill_and_reap(proc(std::string("relay") + relay), SIGKILL, std::chrono::seconds(10));
}

void Network::start_relay(char relay) {
  std::lock_guard lock(mutex_);
  Proc& p = proc(std::string("relay") + relay);
  launch(p, "restart after SIGKILL");
  wait_until(p, "listening again", [&] { return devnet::port_accepts(relay_ports_.at(relay)); });
}

void Network::stop_redis() {
  std::lock_guard lock(mutex_);
  kill_and_reap(proc("redis"), SIGTERM, std::chrono::seconds(30));
}

void Network::start_redis() {
  std::lock_guard lock(mutex_);
  Proc& p = proc("redis");
  launch(p, "restart after SIGTERM");
  wait_until(p, "answering PING again", [&] { return redis_answers_pong(redis_port_); });
}

void Network::kill_peer(uint32_t twin) {
  std::lock_guard lock(mutex_);
  kill_and_reap(proc("peer" + std::to_string(twin)), SIGKILL, std::chrono::seconds(10));
}

void Network::start_peer(uint32_t twin) {
  std::lock_guard lock(mutex_);
  Proc& p = proc("peer" + std::to_string(twin));
  const size_t before = count_in_file(p.spec.log_path, kReadyLine);
  launch(p, "restart after SIGKILL");
  wait_until(p, "ready again", [&] { return count_in_file(p.spec.log_path, kReadyLine) > before; });
}

std::optional<std::string> Network::unexpected_exit() {
  std::lock_guard lock(mutex_);
  for (auto& p : procs_) {
    if (!p.up) continue;
    if (auto how = devnet::reap_if_exited(p.pid)) {
      p.up = false;
      return p.name + " exited on its own (" + *how + "); the end of " + p.spec.log_path + ":\n" +
             devnet::tail_file(p.spec.log_path, 15);
    }
  }
  return std::nullopt;
}

}  // namespace rmb::tools::chaos
