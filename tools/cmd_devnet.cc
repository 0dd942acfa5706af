// `rmb devnet up|down|status`: a whole RMB network on this machine for trying things out:
// fresh dev twins in a twins.json, one rmb-relay, one rmb-peer per twin, an echo service
// (`rmb serve`) on twin 1, optionally a redis-server for relay mailboxes and the peers'
// Redis front doors. `up` proves the path with a real call and prints where everything
// listens; it stays in the foreground (child logs prefixed on the terminal) until Ctrl-C,
// or returns at once with --detach (`down` stops it then).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/directory/directory_file_io.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"
#include "tools/command.h"
#include "tools/devnet_launcher.h"
#include "tools/devnet_process.h"
#include "tools/devnet_report.h"
#include "tools/devnet_state.h"
#include "tools/signal_waiter.h"

namespace rmb::tools {
namespace {

namespace fs = std::filesystem;
using devnet::Json;
using devnet::kEchoCommand;
using devnet::Launcher;
using devnet::LogTail;
using devnet::PeerInfo;
using devnet::Proc;
using devnet::State;

constexpr char kDefaultDir[] = ".devnet";

void add_dir_option(po::options_description& options) {
  options.add_options()("dir", po::value<std::string>()->value_name("DIR"),
                        "state directory: twins.json, mnemonics, logs, pids (default $RMB_DEVNET_DIR, else .devnet)");
}

std::string dir_option(const po::variables_map& vm) {
  if (vm.count("dir")) return vm["dir"].as<std::string>();
  if (const char* env = std::getenv("RMB_DEVNET_DIR"); env != nullptr && *env != '\0') return env;
  return kDefaultDir;
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
  const std::string relay_bin = devnet::require_program("rmb-relay", bin_dir, build_hint);
  const std::string peer_bin = devnet::require_program("rmb-peer", bin_dir, build_hint);
  const std::string rmb = devnet::self_exe();
  std::string redis_bin;
  if (with_redis)
    redis_bin = devnet::require_program("redis-server", bin_dir, "install it: apt-get install redis-server");

  std::error_code ec;
  fs::create_directories(fs::path(dir) / "logs", ec);
  if (ec) throw failure("cannot create " + dir + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);  // mnemonics live here
  if (auto old = devnet::load_state(dir)) {
    if (devnet::live_count(*old) > 0) {
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
  s.relay_port = devnet::pick_port((*vm)["relay-port"].as<uint16_t>(), taken, "the relay");
  const std::string domain = "127.0.0.1:" + std::to_string(s.relay_port);
  s.relay_url = "ws://" + domain;
  uint16_t redis_port = 0;
  if (with_redis) {
    redis_port = devnet::pick_port((*vm)["redis-port"].as<uint16_t>(), taken, "redis-server");
    s.redis_url = "redis://127.0.0.1:" + std::to_string(redis_port);
  }

  // Fresh twins.json for this run's relay port; the mnemonics are kept.
  std::vector<core::Twin> entries;
  std::vector<std::string> mnemonics;
  for (uint32_t id = 1; id <= twins; ++id) {
    const std::string mnemonic = devnet::twin_mnemonic(dir, id);
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
    const uint16_t grpc_port = devnet::pick_port(static_cast<uint16_t>((*vm)["peer-port"].as<uint16_t>() + offset),
                                                 taken, "twin " + std::to_string(peer.twin) + "'s gRPC API");
    const uint16_t metrics_port =
        devnet::pick_port(static_cast<uint16_t>((*vm)["metrics-port"].as<uint16_t>() + offset), taken,
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
        p, [&] { return devnet::log_contains(p.log, "rmb-peer ready"); }, "ready");
  }
  const auto& echo =
      launch.start({"echo", {rmb, "serve", "--peer", s.peers[0].grpc, "--cmd", kEchoCommand}, {}, log_path("echo")});
  launch.wait_ready(
      echo, [&] { return devnet::log_contains(echo.log, "rmb serve: serving"); }, "serving");

  const devnet::CheckResult check = devnet::check_call(s);
  if (!check.ok)
    throw failure("the devnet started but the check call failed: " + check.line, "see the logs in " + dir + "/logs");
  if (signals.signalled()) throw failure("interrupted");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::string out;
  char head[128];
  std::snprintf(head, sizeof head, "rmb devnet: up in %.1f s, %u twins%s (state in %s)\n", secs, twins,
                with_redis ? " + redis" : "", dir.c_str());
  out +=
      head + devnet::describe_network(s) + "\nChecked: " + check.line + "\n\n" + devnet::next_commands(s, rmb, detach);
  if (detach) {
    devnet::save_state(s);
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
    if (!fs::exists(devnet::state_path(dir))) break;
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
  auto s = devnet::load_state(dir);
  if (!s) throw failure("no devnet state in " + dir, "was it started with --dir " + dir + "?");
  const size_t live = devnet::live_count(*s);
  auto procs = devnet::stop_order(*s);
  // A foreground supervisor notices its state file go and stops its own children; stop
  // them here too so `down` returns only when they are gone.
  std::error_code ec;
  fs::remove(devnet::state_path(dir), ec);
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
  auto s = devnet::load_state(dir);
  if (!s) {
    if (vm->count("json")) print_out("{\"running\":false}\n");
    throw failure("no devnet runs from " + dir, "start one with 'rmb devnet up --dir " + dir + "'");
  }
  const size_t live = devnet::live_count(*s);
  const bool all = live == s->procs.size();
  if (vm->count("json")) {
    Json j = devnet::to_json(*s);
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
  out += devnet::describe_network(*s);
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
