// `rmb devnet up|down|status`: a whole RMB network on this machine for trying things out:
// fresh dev twins in a twins.json, one rmb-relay, one rmb-peer per twin, an echo service
// (`rmb serve`) on twin 1, optionally a redis-server for relay mailboxes and the peers'
// Redis front doors. `up` proves the path with a real call and prints where everything
// listens; it stays in the foreground (child logs prefixed on the terminal) until Ctrl-C,
// or returns at once with --detach (`down` stops it then).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/directory/directory_file_io.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/mnemonic.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"
#include "tools/devnet_process.h"
#include "tools/peer_client.h"
#include "tools/signal_waiter.h"

namespace rmb::tools {
namespace {

namespace fs = std::filesystem;
using devnet::SpawnSpec;
using Json = nlohmann::ordered_json;

constexpr char kStateFile[] = "devnet.json";
constexpr char kDefaultDir[] = ".devnet";
constexpr char kEchoCommand[] = "echo";

struct Proc {
  std::string name;
  pid_t pid = 0;
  std::string program;  // path; its basename guards against pid reuse
  std::string log;
};

struct PeerInfo {
  uint32_t twin = 0;
  std::string grpc;
  std::string metrics;
  std::string redis;  // its Redis front door, if any
  std::string account;
};

struct State {
  pid_t supervisor = 0;  // the foreground `rmb devnet up`, 0 when detached
  std::vector<Proc> procs;
  std::string relay_url;
  uint16_t relay_port = 0;
  std::string redis_url;
  std::vector<PeerInfo> peers;
  std::string dir;
};

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
  for (const auto& p : s.procs) n += devnet::alive(p.pid, p.program) ? 1 : 0;
  return n;
}

std::vector<std::pair<pid_t, std::string>> stop_order(const State& s) {
  // Reverse start order: services, then peers, then the relay, then Redis.
  std::vector<std::pair<pid_t, std::string>> out;
  for (auto it = s.procs.rbegin(); it != s.procs.rend(); ++it) out.emplace_back(it->pid, it->program);
  return out;
}

void add_dir_option(po::options_description& options) {
  options.add_options()("dir", po::value<std::string>()->value_name("DIR"),
                        "state directory: twins.json, mnemonics, logs, pids (default $RMB_DEVNET_DIR, else .devnet)");
}

std::string dir_option(const po::variables_map& vm) {
  if (vm.count("dir")) return vm["dir"].as<std::string>();
  if (const char* env = std::getenv("RMB_DEVNET_DIR"); env != nullptr && *env != '\0') return env;
  return kDefaultDir;
}

// The twin's mnemonic, kept across runs in DIR/twin<N>.mnemonic so scripts can keep using it.
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

uint16_t pick_port(uint16_t from, std::vector<uint16_t>& taken, const std::string& what) {
  auto port = devnet::free_port_from(from, taken);
  if (!port)
    throw failure("no free port for " + what + " in " + std::to_string(from) + ".." + std::to_string(from + 199),
                  "pass another start port");
  if (*port != from) std::cerr << "rmb devnet: port " << from << " is in use, " << what << " takes " << *port << "\n";
  taken.push_back(*port);
  return *port;
}

// Child logs on the terminal, each line prefixed with its process's name.
class LogTail {
 public:
  explicit LogTail(const std::vector<Proc>& procs) {
    for (const auto& p : procs) files_.push_back({p.name, p.log, 0, ""});
  }
  void add(const Proc& p) { files_.push_back({p.name, p.log, 0, ""}); }
  void skip_existing() {
    for (auto& f : files_) {
      std::error_code ec;
      f.offset = fs::file_size(f.path, ec);
      if (ec) f.offset = 0;
    }
  }
  void pump() {
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

 private:
  struct File {
    std::string name, path;
    uint64_t offset;
    std::string partial;
  };
  std::vector<File> files_;
};

bool log_contains(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  return text.find(needle) != std::string::npos;
}

class Launcher {
 public:
  Launcher(State& state, const SignalWaiter& signals) : state_(state), signals_(signals) {}
  ~Launcher() {
    if (!committed_) stop();
  }
  void commit() { committed_ = true; }
  void stop() {
    devnet::stop_all(stop_order(state_));
    std::error_code ec;
    fs::remove(state_path(state_.dir), ec);
  }

  const Proc& start(SpawnSpec spec) {
    std::string error;
    const pid_t pid = devnet::spawn(spec, &error);
    if (pid < 0) throw failure("cannot start " + spec.name + ": " + error);
    state_.procs.push_back({spec.name, pid, spec.argv.front(), spec.log_path});
    save_state(state_);  // at once, so `down` can find it even if `up` dies now
    return state_.procs.back();
  }

  // Waits until `ready()` holds; fails with the log's tail if the process dies or time runs out.
  void wait_ready(const Proc& p, const std::function<bool()>& ready, const std::string& what,
                  std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ready()) {
      if (signals_.signalled()) throw failure("interrupted while " + p.name + " was starting; stopped everything");
      if (auto how = devnet::reap_if_exited(p.pid)) {
        throw failure(p.name + " exited (" + *how + ") before it was " + what + "; the end of " + p.log + ":\n" +
                          devnet::tail_file(p.log, 15),
                      "fix the cause above and run 'rmb devnet up' again");
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw failure(p.name + " was not " + what + " after " + std::to_string(timeout.count()) + " s; the end of " +
                          p.log + ":\n" + devnet::tail_file(p.log, 15),
                      "see the whole log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  State& state_;
  const SignalWaiter& signals_;
  bool committed_ = false;
};

std::string require_program(const std::string& name, const std::string& bin_dir, const std::string& hint) {
  std::string path = devnet::find_program(name, bin_dir);
  if (path.empty()) throw failure("cannot find " + name, hint);
  return path;
}

struct CheckResult {
  std::string line;
  bool ok = false;
};

// A real call through the whole path: twin 2's peer -> relay -> twin 1's peer -> echo.
CheckResult check_call(const State& s) {
  const PeerInfo& from = s.peers.size() > 1 ? s.peers[1] : s.peers[0];
  const std::string data = "hello from twin " + std::to_string(from.twin);
  api::v1::CallRequest request;
  request.mutable_destination()->set_twin(s.peers[0].twin);
  request.set_command(kEchoCommand);
  request.set_data(data);
  request.set_ttl_seconds(20);
  auto stub = api::v1::Gateway::NewStub(connect_peer(from.grpc));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    api::v1::Reply reply;
    const auto t0 = std::chrono::steady_clock::now();
    const grpc::Status status = stub->Call(&ctx, request, &reply);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (status.ok() && reply.data() == data) {
      char line[512];
      std::snprintf(line, sizeof line, "twin %u (rmb-peer %s) -> relay -> twin %u '%s' -> reply \"%s\" in %.1f ms",
                    from.twin, from.grpc.c_str(), s.peers[0].twin, kEchoCommand, reply.data().c_str(), ms);
      return {line, true};
    }
    const RpcError e = status.ok() ? RpcError{grpc::StatusCode::DATA_LOSS,
                                              "DATA_LOSS",
                                              "the echo came back different: '" + reply.data() + "'",
                                              {},
                                              1,
                                              ""}
                                   : describe(status, {from.grpc, kEchoCommand, std::to_string(s.peers[0].twin), 10});
    // Links may still be coming up right after start.
    const bool transient =
        e.grpc_code == grpc::StatusCode::UNAVAILABLE || e.grpc_code == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!transient || std::chrono::steady_clock::now() > give_up) {
      return {"twin " + std::to_string(from.twin) + " -> twin " + std::to_string(s.peers[0].twin) + " '" +
                  kEchoCommand + "' FAILED: " + one_line(e) + " (" + e.hint + ")",
              false};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string describe_network(const State& s, const std::string& rmb) {
  std::string out;
  out += "  relay      " + s.relay_url + "    metrics http://127.0.0.1:" + std::to_string(s.relay_port) + "/metrics\n";
  for (const auto& p : s.peers) {
    out += "  twin " + std::to_string(p.twin) + std::string(p.twin < 10 ? 5 : 4, ' ') + "rmb-peer grpc " + p.grpc;
    if (!p.metrics.empty()) out += "  metrics http://" + p.metrics + "/metrics";
    if (!p.redis.empty()) out += "  redis " + p.redis;
    if (p.twin == s.peers[0].twin) out += "  + '" + std::string(kEchoCommand) + "' service";
    out += "\n";
  }
  if (!s.redis_url.empty())
    out += "  redis      " + s.redis_url + " (db 0: relay mailboxes; db N: twin N's Redis front door)\n";
  out += "  directory  " + (fs::path(s.dir) / "twins.json").string() + " (mnemonics in " +
         (fs::path(s.dir) / "twin<N>.mnemonic").string() + ")\n";
  out += "  logs       " + (fs::path(s.dir) / "logs").string() + "/\n";
  (void)rmb;
  return out;
}

std::string next_commands(const State& s, const std::string& rmb, bool detached) {
  const PeerInfo& one = s.peers[0];
  const PeerInfo& two = s.peers.size() > 1 ? s.peers[1] : s.peers[0];
  const std::string r = shell_quote(rmb);
  std::string out = "Next:\n";
  out += "  " + r + " call --peer " + two.grpc + " --dst " + std::to_string(one.twin) +
         " --cmd echo --data '{\"hello\":\"rmb\"}'\n";
  out += "  " + r + " ping --peer " + two.grpc + " --dst " + std::to_string(one.twin) + " --count 3\n";
  std::string all;
  for (const auto& p : s.peers) all += (all.empty() ? "" : ",") + std::to_string(p.twin);
  out += "  " + r + " send --peer " + two.grpc + " --dst " + all + " --cmd rmb.version\n";
  out += "  " + r + " serve --peer " + two.grpc + " --cmd calc.add --reply 42 &   # then:\n";
  out += "  " + r + " call --peer " + one.grpc + " --dst " + std::to_string(two.twin) +
         " --cmd calc.add --data '{\"a\":1}'\n";
  out += "  " + r + " call --peer " + two.grpc + " --dst " + std::to_string(one.twin) +
         " --cmd echo --data hi --repeat 2000 --concurrency 8\n";
  out += "  " + r + " info --peer " + one.grpc + "\n";
  if (!s.redis_url.empty() && !two.redis.empty()) {
    const auto port = s.redis_url.substr(s.redis_url.rfind(':') + 1);
    out += "  redis-cli -p " + port + " -n " + std::to_string(two.twin) +
           " LPUSH msgbus.system.local "
           "'{\"ver\":1,\"ref\":\"r1\",\"cmd\":\"echo\",\"exp\":60,\"dat\":\"aGk=\",\"tag\":null,\"dst\":[" +
           std::to_string(one.twin) + "],\"ret\":\"my.replies\",\"shm\":null,\"now\":0}'\n";
    out += "  redis-cli -p " + port + " -n " + std::to_string(two.twin) + " BRPOP my.replies 10\n";
  }
  out += "  " + r + " devnet status --dir " + shell_quote(s.dir) + "\n";
  if (detached) out += "  " + r + " devnet down --dir " + shell_quote(s.dir) + "\n";
  return out;
}

int devnet_up(const Invocation& inv) {
  po::options_description options;
  add_dir_option(options);
  options.add_options()("twins", po::value<uint32_t>()->default_value(2)->value_name("N"),
                        "number of twins (1..50), one rmb-peer each")(
      "redis", "start a redis-server for relay mailboxes and each peer's Redis front door")(
      "detach", "return once the network is up (stop it with 'rmb devnet down')")(
      "relay-port", po::value<uint16_t>()->default_value(8080)->value_name("P"), "first port tried for the relay")(
      "peer-port", po::value<uint16_t>()->default_value(7070)->value_name("P"),
      "first port tried for twin 1's gRPC API (twin N: the next free ones)")(
      "metrics-port", po::value<uint16_t>()->default_value(9101)->value_name("P"),
      "first port tried for the peers' metrics")(
      "redis-port", po::value<uint16_t>()->default_value(6379)->value_name("P"), "first port tried for redis-server")(
      "bin-dir", po::value<std::string>()->value_name("D"),
      "where rmb-relay and rmb-peer are (default: beside rmb, its build tree, then PATH)");
  auto vm = parse_options(
      inv,
      "Start a local RMB network: fresh dev twins in DIR/twins.json, one rmb-relay, one rmb-peer per twin, "
      "an echo service on twin 1, then one real call through it all. Ports in use are skipped. Stays in the "
      "foreground with the processes' logs until Ctrl-C, which stops everything, unless --detach.",
      "[--twins N] [--redis] [--dir DIR] [--detach]", options);
  if (!vm) return kExitOk;
  const uint32_t twins = (*vm)["twins"].as<uint32_t>();
  const bool with_redis = vm->count("redis") > 0;
  if (twins < 1 || twins > 50) throw usage_error(inv, "--twins must be 1..50");
  const bool detach = vm->count("detach") > 0;
  const std::string dir = dir_option(*vm);
  const std::string bin_dir = vm->count("bin-dir") ? (*vm)["bin-dir"].as<std::string>() : "";
  const std::string build_hint = "build it ('cmake --build build/release') or pass --bin-dir";
  const std::string relay_bin = require_program("rmb-relay", bin_dir, build_hint);
  const std::string peer_bin = require_program("rmb-peer", bin_dir, build_hint);
  const std::string rmb = devnet::self_exe();
  std::string redis_bin;
  if (with_redis) redis_bin = require_program("redis-server", bin_dir, "install it: apt-get install redis-server");

  std::error_code ec;
  fs::create_directories(fs::path(dir) / "logs", ec);
  if (ec) throw failure("cannot create " + dir + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);  // mnemonics live here
  if (auto old = load_state(dir)) {
    if (live_count(*old) > 0) {
      throw failure("a devnet is already running from " + dir, "see 'rmb devnet status --dir " + dir +
                                                                   "', stop it with 'rmb devnet down --dir " + dir +
                                                                   "', or start another with --dir OTHER");
    }
  }
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "logs", ec)) fs::remove(entry.path(), ec);

  SignalWaiter signals;  // Ctrl-C during start-up stops what was started (Launcher's destructor)
  State s;
  s.dir = dir;
  s.supervisor = detach ? 0 : ::getpid();
  std::vector<uint16_t> taken;
  s.relay_port = pick_port((*vm)["relay-port"].as<uint16_t>(), taken, "the relay");
  const std::string domain = "127.0.0.1:" + std::to_string(s.relay_port);
  s.relay_url = "ws://" + domain;
  uint16_t redis_port = 0;
  if (with_redis) {
    redis_port = pick_port((*vm)["redis-port"].as<uint16_t>(), taken, "redis-server");
    s.redis_url = "redis://127.0.0.1:" + std::to_string(redis_port);
  }

  // Fresh twins.json for this run's relay port; the mnemonics are kept.
  std::vector<core::Twin> entries;
  std::vector<std::string> mnemonics;
  for (uint32_t id = 1; id <= twins; ++id) {
    const std::string mnemonic = twin_mnemonic(dir, id);
    const core::Seed seed = *core::parse_secret(mnemonic);
    auto signer = core::make_signer(core::KeyType::kEd25519, seed);
    auto e2e = core::E2eKey::from_seed(seed);
    if (!signer.ok() || !e2e.ok()) throw failure("cannot derive keys of twin " + std::to_string(id));
    core::Twin t;
    t.id = id;
    t.account = (*signer)->account();
    t.relays = {domain};
    t.pk = core::Bytes(e2e->public_key().begin(), e2e->public_key().end());
    entries.push_back(t);
    mnemonics.push_back(mnemonic);
    PeerInfo info;
    info.twin = id;
    info.account = core::ss58_encode(t.account);
    s.peers.push_back(info);
  }
  const std::string directory = (fs::path(dir) / "twins.json").string();
  if (auto st = core::write_directory_file(directory, entries); !st.ok()) throw failure(std::string(st.message()));

  const auto started = std::chrono::steady_clock::now();
  Launcher launch(s, signals);
  // The main thread notices (start-up waits give up, the foreground loop ends).
  signals.on_signal([](int) {});
  auto log_path = [&](const std::string& name) { return (fs::path(dir) / "logs" / (name + ".log")).string(); };

  if (with_redis) {
    const auto& p = launch.start({"redis",
                                  {redis_bin, "--port", std::to_string(redis_port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no", "--databases", "64", "--dir", fs::absolute(dir).string()},
                                  {},
                                  log_path("redis")});
    launch.wait_ready(
        p, [&] { return devnet::port_accepts(redis_port); }, "accepting connections");
  }
  std::vector<std::string> relay_args = {relay_bin, "--listen", domain, "--directory", directory, "--domain", domain};
  relay_args.insert(relay_args.end(), {"--mailbox", with_redis ? "redis" : "memory"});
  if (with_redis) relay_args.insert(relay_args.end(), {"--redis", s.redis_url + "/0"});
  const auto& relay = launch.start({"relay", relay_args, {}, log_path("relay")});
  launch.wait_ready(
      relay, [&] { return devnet::port_accepts(s.relay_port); }, "listening");

  for (auto& peer : s.peers) {
    // Twin N tries base + N - 1 first, so addresses are predictable when ports are free.
    const auto offset = static_cast<uint16_t>(peer.twin - 1);
    const uint16_t grpc_port = pick_port(static_cast<uint16_t>((*vm)["peer-port"].as<uint16_t>() + offset), taken,
                                         "twin " + std::to_string(peer.twin) + "'s gRPC API");
    const uint16_t metrics_port = pick_port(static_cast<uint16_t>((*vm)["metrics-port"].as<uint16_t>() + offset), taken,
                                            "twin " + std::to_string(peer.twin) + "'s metrics");
    peer.grpc = "127.0.0.1:" + std::to_string(grpc_port);
    peer.metrics = "127.0.0.1:" + std::to_string(metrics_port);
    std::vector<std::string> args = {peer_bin,    "--key-type",       "ed25519",   "--relay",
                                     s.relay_url, "--directory",      directory,   "--grpc-listen",
                                     peer.grpc,   "--metrics-listen", peer.metrics};
    if (with_redis) {
      peer.redis = s.redis_url + "/" + std::to_string(peer.twin);
      args.insert(args.end(), {"--redis", peer.redis});
    } else {
      args.push_back("--no-redis");  // not rmb-rs's default localhost:6379: the devnet owns its Redis
    }
    // The secret goes by environment, not argv, so `ps` does not show it.
    const std::string name = "peer" + std::to_string(peer.twin);
    launch.start({name, args, {{"RMB_MNEMONIC", mnemonics[peer.twin - 1]}}, log_path(name)});
  }
  for (size_t i = 0; i < s.peers.size(); ++i) {
    const Proc& p = s.procs[s.procs.size() - s.peers.size() + i];
    launch.wait_ready(
        p, [&] { return log_contains(p.log, "rmb-peer ready"); }, "ready");
  }
  const auto& echo =
      launch.start({"echo", {rmb, "serve", "--peer", s.peers[0].grpc, "--cmd", kEchoCommand}, {}, log_path("echo")});
  launch.wait_ready(
      echo, [&] { return log_contains(echo.log, "rmb serve: serving"); }, "serving");

  const CheckResult check = check_call(s);
  if (!check.ok)
    throw failure("the devnet started but the check call failed: " + check.line, "see the logs in " + dir + "/logs");
  if (signals.signalled()) throw failure("interrupted");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::string out;
  char head[128];
  std::snprintf(head, sizeof head, "rmb devnet: up in %.1f s, %u twins%s (state in %s)\n", secs, twins,
                with_redis ? " + redis" : "", dir.c_str());
  out += head + describe_network(s, rmb) + "\nChecked: " + check.line + "\n\n" + next_commands(s, rmb, detach);
  if (detach) {
    save_state(s);
    launch.commit();
    print_out(out);
    return kExitOk;
  }
  out += "Ctrl-C stops everything. Logs follow.\n\n";
  print_out(out);

  // Foreground: follow the logs until a signal.
  LogTail tail(s.procs);
  tail.skip_existing();
  std::vector<bool> reported(s.procs.size(), false);
  while (!signals.signalled()) {
    tail.pump();
    for (size_t i = 0; i < s.procs.size(); ++i) {
      if (reported[i]) continue;
      if (auto how = devnet::reap_if_exited(s.procs[i].pid)) {
        reported[i] = true;
        std::cout << "[devnet] " << s.procs[i].name << " exited (" << *how << "); see " << s.procs[i].log << std::endl;
      }
    }
    // `rmb devnet down` from another terminal removes the state file.
    if (!fs::exists(state_path(dir))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::cout << "\nrmb devnet: stopping" << std::endl;
  launch.stop();
  launch.commit();
  tail.pump();
  std::cout << "rmb devnet: stopped" << std::endl;
  return kExitOk;
}

int devnet_down(const Invocation& inv) {
  po::options_description options;
  add_dir_option(options);
  auto vm =
      parse_options(inv, "Stop the devnet started from DIR (detached or in another terminal).", "[--dir DIR]", options);
  if (!vm) return kExitOk;
  const std::string dir = dir_option(*vm);
  auto s = load_state(dir);
  if (!s) throw failure("no devnet state in " + dir, "was it started with --dir " + dir + "?");
  const size_t live = live_count(*s);
  auto procs = stop_order(*s);
  // A foreground supervisor notices its state file go and stops its own children; stop
  // them here too so `down` returns only when they are gone.
  std::error_code ec;
  fs::remove(state_path(dir), ec);
  devnet::stop_all(procs);
  if (s->supervisor > 0) {
    for (int i = 0; i < 100 && devnet::alive(s->supervisor, "rmb"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  print_out("rmb devnet: stopped " + std::to_string(live) + " processes from " + dir + "\n");
  return kExitOk;
}

int devnet_status(const Invocation& inv) {
  po::options_description options;
  add_dir_option(options);
  options.add_options()("json", "print the state as JSON");
  auto vm = parse_options(
      inv, "Show the processes of the devnet in DIR and where they listen. Exit 0 when all run, 1 otherwise.",
      "[--dir DIR] [--json]", options);
  if (!vm) return kExitOk;
  const std::string dir = dir_option(*vm);
  auto s = load_state(dir);
  if (!s) {
    if (vm->count("json")) print_out("{\"running\":false}\n");
    throw failure("no devnet runs from " + dir, "start one with 'rmb devnet up --dir " + dir + "'");
  }
  const size_t live = live_count(*s);
  const bool all = live == s->procs.size();
  if (vm->count("json")) {
    Json j = to_json(*s);
    for (size_t i = 0; i < s->procs.size(); ++i)
      j["processes"][i]["running"] = devnet::alive(s->procs[i].pid, s->procs[i].program);
    j["running"] = all;
    print_out(j.dump(2) + "\n");
    return all ? kExitOk : kExitFailure;
  }
  std::string out = "rmb devnet in " + dir + ": " + std::to_string(live) + "/" + std::to_string(s->procs.size()) +
                    " processes running" +
                    (s->supervisor > 0 ? " (foreground, pid " + std::to_string(s->supervisor) + ")" : "") + "\n";
  for (const auto& p : s->procs) {
    const bool up = devnet::alive(p.pid, p.program);
    out += "  " + p.name + std::string(p.name.size() < 8 ? 8 - p.name.size() : 1, ' ') + " pid " +
           std::to_string(p.pid) + (up ? "  running" : "  STOPPED") + "  log " + p.log + "\n";
  }
  out += describe_network(*s, devnet::self_exe());
  print_out(out);
  return all ? kExitOk : kExitFailure;
}

int devnet(const Invocation& inv) {
  return dispatch(inv, "A local RMB network (relay + rmb-peer per twin + echo service) for trying things out.",
                  {{"up", "start it (foreground until Ctrl-C, or --detach)", devnet_up},
                   {"down", "stop a devnet started from --dir", devnet_down},
                   {"status", "show its processes and addresses", devnet_status}});
}

const RegisterCommand kRegister({"devnet", "start/stop a local RMB network (relay, peers, echo service)", devnet});

}  // namespace
}  // namespace rmb::tools
