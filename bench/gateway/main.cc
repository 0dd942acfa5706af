// bench_gateway: issue 4's and issue 13's numbers, printed (never asserted).
//
//   rmb:  app -gRPC Call-> rmb-peer A -> rmb-relay -> rmb-peer B -gRPC Serve-> echo service
//         -> rmb-peer B -> rmb-relay -> rmb-peer A -> app. Every envelope signed (ed25519 by
//         default, --key-type sr25519) and end-to-end encrypted (both twins publish e2e keys).
//   nats: requester -PUB bench.echo reply=<inbox>-> nats-server -> responder -PUB <inbox>->
//         nats-server -> requester. No signing, no encryption.
//
// Same payloads, same number of closed-loop callers (each sends its next call when the
// previous one answered), same run, same machine; p50/p99 latency, calls/s and the rmb/nats
// ratios, plus the CPU time each process spent per call. Everything is started here on
// free loopback ports (world.h) and stopped at the end. Processes are not pinned: a
// 2-core machine has no spare core per process, so all share both cores, as they would.
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/common/server_flags.h"
#include "bench/gateway/closed_loop.h"
#include "bench/gateway/cpu_probe.h"
#include "bench/gateway/crypto_floor.h"
#include "bench/gateway/nats_side.h"
#include "bench/gateway/perf_recorder.h"
#include "bench/gateway/rmb_side.h"
#include "bench/gateway/targets.h"
#include "bench/gateway/world.h"
#include "bench/relay/cli_util.h"
#include "bench/relay/report.h"

namespace rmb::bench {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr char kCommand[] = "bench.echo";
constexpr char kNatsSubject[] = "bench.echo";

// relay, nats, warmup_s, duration_s and keep_temp: the flags bench_relay takes too.
struct Options : ServerFlags {
  WorldOptions world;  // its binaries and keep_temp from the flags above
  std::string perf_binary;
  std::string perf_dir;
  std::vector<size_t> concurrency;
  std::vector<size_t> payloads;
  bool calls_stream = false;  // --api calls
};

// The app side of one rmb run, as --api says: a unary Gateway.Call per call, or every
// caller's calls on one Gateway.Calls stream.
class AppCallers {
 public:
  AppCallers(const Options& o, const std::string& address, uint32_t destination, std::string payload, size_t callers) {
    if (o.calls_stream) {
      stream_ = std::make_unique<StreamCallers>(address, destination, kCommand, std::move(payload), callers);
    } else {
      unary_ = std::make_unique<RmbCallers>(address, destination, kCommand, std::move(payload), callers);
    }
  }
  ClosedLoop::Issue issue() {
    return [this](size_t caller, ClosedLoop::Done done) {
      if (stream_) {
        stream_->issue(caller, std::move(done));
      } else {
        unary_->issue(caller, std::move(done));
      }
    };
  }

 private:
  std::unique_ptr<RmbCallers> unary_;
  std::unique_ptr<StreamCallers> stream_;
};

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  std::string concurrency = "1,64", payloads = "64,1024", key_type = "ed25519", api = "call";
  po::options_description desc(
      "bench_gateway: secure round trips through rmb-peer + rmb-relay vs nats-server request-reply\nOptions");
  // clang-format off
  desc.add_options()("help,h", "print this help");
  add_server_flags(desc, o);
  desc.add_options()
    ("peer", po::value(&o.world.peer_binary)->default_value(sibling_binary("gateway/rmb-peer", "rmb-peer")),
        "rmb-peer binary")
    ("key-type", po::value(&key_type)->default_value(key_type), "twin keys: ed25519 or sr25519")
    ("concurrency", po::value(&concurrency)->default_value(concurrency),
        "closed-loop callers per run, comma-separated")
    ("payload", po::value(&payloads)->default_value(payloads), "payload sizes in bytes, comma-separated")
    ("peer-threads", po::value(&o.world.peer_threads)->default_value(0),
        "rmb-peer --threads (0 = its default: cores, at most 4)")
    ("api", po::value(&api)->default_value(api),
        "how the app calls rmb-peer A: 'call' (a unary Gateway.Call per call) or 'calls' (all callers' "
        "calls on one Gateway.Calls stream)")
    ("unix-grpc", "apps talk to the peers over unix sockets (what a sidecar uses) instead of loopback TCP")
    ("perf-dir", po::value(&o.perf_dir),
        "record `perf record -g` of both rmb-peers and rmb-relay into DIR during the rmb run with the "
        "most callers and the smallest payload")
    ("perf", po::value(&o.perf_binary)->default_value(find_in_path("perf")), "perf binary");
  // clang-format on
  auto parsed = parse_command_line(argc, argv, desc, "bench_gateway", exit_code);
  if (!parsed) return std::nullopt;
  const auto& vm = *parsed;
  auto c = parse_list(concurrency);
  auto p = parse_list(payloads, /*allow_zero=*/true);
  auto k = core::parse_key_type(key_type);
  if (!c || !p || !k.ok() || o.duration_s <= 0 || o.warmup_s < 0 || (api != "call" && api != "calls")) {
    std::cerr << "bench_gateway: --concurrency needs positive integers, --payload sizes >= 0, --key-type "
                 "ed25519|sr25519, --api call|calls, --duration > 0, --warmup >= 0 (see --help)\n";
    *exit_code = 2;
    return std::nullopt;
  }
  o.concurrency = *c;
  o.payloads = *p;
  o.world.key_type = *k;
  o.world.relay_binary = o.relay;
  o.world.nats_binary = o.nats;
  o.world.keep_temp = o.keep_temp;
  o.world.unix_grpc = vm.count("unix-grpc") > 0;
  o.calls_stream = api == "calls";
  return o;
}

void progress(const std::string& text) { std::cerr << "[bench_gateway] " << text << std::endl; }

std::string load_averages() {
  double load[3] = {-1, -1, -1};
  if (getloadavg(load, 3) < 3) return "unknown";
  return absl::StrFormat("%.2f %.2f %.2f", load[0], load[1], load[2]);
}

struct RunOutcome {
  LoopResult loop;
  std::vector<double> cpu_us;    // per process of the probe, per call
  std::vector<double> switches;  // per process of the probe, per call
};

LoopWindow window_of(const Options& o) {
  LoopWindow w;
  w.warmup = ms(o.warmup_s);
  w.duration = ms(o.duration_s);
  return w;
}

// `close_transport` runs before the ClosedLoop goes away, so that no late answer reaches it.
RunOutcome measure(const Options& o, size_t callers, const ClosedLoop::Issue& issue, CpuProbe probe, PerfRecorder* perf,
                   const std::vector<PerfTarget>& perf_targets, const std::function<void()>& close_transport) {
  ClosedLoop loop(callers, issue);
  RunOutcome out;
  out.loop = loop.run(
      window_of(o),
      [&] {
        if (perf != nullptr) {
          if (auto s = perf->start(perf_targets, ms(o.duration_s)); !s.ok()) progress(std::string(s.message()));
        }
        probe.read(probe.at_start);
      },
      [&] { probe.read(probe.at_end); });
  for (size_t i = 0; i < probe.pids.size(); ++i) {
    out.cpu_us.push_back(probe.per_call(i, out.loop.calls, &CpuProbe::Reading::cpu_s, 1e6));
    out.switches.push_back(probe.per_call(i, out.loop.calls, &CpuProbe::Reading::switches, 1));
  }
  close_transport();
  return out;
}

std::string us_cell(double us) { return us > 0 ? format_fixed(us, 0) : "-"; }
std::string cpu_cell(double us) { return us >= 0 ? format_fixed(us, 1) : "-"; }

int run(const Options& o) {
  const std::string load_at_start = load_averages();
  progress("starting rmb-relay, two rmb-peers and nats-server");
  auto world = World::start(o.world);
  if (!world.ok()) {
    std::cerr << "bench_gateway: " << world.status().message() << "\n";
    return 1;
  }
  World& w = **world;
  progress(absl::StrCat("rmb-relay pid ", w.relay().process->pid(), " :", w.relay().port, "; rmb-peer A (twin ",
                        w.caller_peer().twin, ") pid ", w.caller_peer().process->pid(), " ",
                        w.caller_peer().grpc_address, "; rmb-peer B (twin ", w.service_peer().twin, ") pid ",
                        w.service_peer().process->pid(), " ", w.service_peer().grpc_address, "; nats-server pid ",
                        w.nats().process->pid(), " :", w.nats().port, "; logs in ", w.dir()));

  const size_t max_callers = *std::max_element(o.concurrency.begin(), o.concurrency.end());
  const size_t min_payload = *std::min_element(o.payloads.begin(), o.payloads.end());
  auto service = EchoService::start(w.service_peer().grpc_address, kCommand,
                                    static_cast<uint32_t>(std::min<size_t>(10000, 2 * max_callers)));
  if (!service.ok()) {
    std::cerr << "bench_gateway: echo service: " << service.status().message() << "\n";
    return 1;
  }
  auto responder = NatsResponder::start(w.nats().port, kNatsSubject);
  if (!responder.ok()) {
    std::cerr << "bench_gateway: nats responder: " << responder.status().message() << "\n";
    return 1;
  }

  std::optional<PerfRecorder> perf;
  if (!o.perf_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.perf_dir, ec);
    perf.emplace(o.perf_binary, fs::absolute(o.perf_dir).string());
  }
  std::vector<PerfTarget> perf_targets = {{"rmb-peer-A", w.caller_peer().process->pid()},
                                          {"rmb-peer-B", w.service_peer().process->pid()},
                                          {"rmb-relay", w.relay().process->pid()}};

  Table main_table({"payload", "callers", "rmb p50 us", "rmb p99 us", "rmb calls/s", "nats p50 us", "nats p99 us",
                    "nats calls/s", "p50 rmb/nats", "calls/s rmb/nats", "failed rmb|nats"});
  TargetTable targets;
  const std::vector<std::string> per_process = {"payload",      "callers",     "relay",     "peer A",
                                                "peer B",       "bench (rmb)", "rmb total", "nats-server",
                                                "bench (nats)", "nats total"};
  Table cpu_table(per_process);
  Table switch_table(per_process);
  Table floor_table(
      {"callers", "gRPC Info p50 us", "gRPC Info p99 us", "Info calls/s", "peer A cpu us/call", "bench cpu us/call"});
  std::vector<std::string> problems;
  bool perf_done = false;

  // One warm-up of the whole rmb path at the highest concurrency before anything is
  // measured: the first burst of many callers grows thread pools, allocator arenas and
  // socket buffers in every process, and was measured ~30% slower than later ones.
  if (o.warmup_s > 0) {
    progress(absl::StrCat("warming the rmb path up with ", max_callers, " callers"));
    Options prime = o;
    prime.warmup_s = 0;
    prime.duration_s = std::max(2.0, o.warmup_s);
    AppCallers rc(o, w.caller_peer().grpc_address, w.service_peer().twin, std::string(min_payload, 'x'), max_callers);
    RunOutcome warm = measure(prime, max_callers, rc.issue(), CpuProbe{}, nullptr, {}, [] {});
    if (!warm.loop.error.empty() || warm.loop.failures > 0 || warm.loop.calls == 0) {
      problems.push_back(absl::StrCat("warm-up: ", warm.loop.error, " ", warm.loop.calls, " ok, ", warm.loop.failures,
                                      " failed; first failure: ", warm.loop.first_failure));
    }
  }

  // The crypto floor per payload, in this process, with the peers' own library code.
  std::map<size_t, CryptoFloor> crypto;
  for (size_t payload_size : o.payloads) {
    progress(absl::StrCat("crypto floor at ", format_bytes(payload_size)));
    auto measured = measure_crypto_floor(o.world.key_type, payload_size, std::min(0.3, o.duration_s / 4));
    if (!measured.ok()) {
      problems.push_back(absl::StrCat("crypto floor: ", measured.status().message()));
      continue;
    }
    crypto[payload_size] = *measured;
  }

  // The app <-> peer hop alone, once per concurrency (its payload is fixed).
  for (size_t callers : o.concurrency) {
    progress(absl::StrCat("gRPC Info floor x ", callers));
    InfoCallers ic(w.caller_peer().grpc_address, callers);
    CpuProbe probe{{w.caller_peer().process->pid(), 0}, {}, {}};
    RunOutcome floor = measure(
        o, callers, [&ic](size_t i, ClosedLoop::Done d) { ic.issue(i, std::move(d)); }, probe, nullptr, {}, [] {});
    if (!floor.loop.error.empty() || floor.loop.failures > 0) {
      problems.push_back(absl::StrCat("gRPC Info x ", callers, ": ", floor.loop.error, " ", floor.loop.failures,
                                      " failed; first failure: ", floor.loop.first_failure));
    }
    floor_table.add({absl::StrCat(callers), us_cell(floor.loop.p50_us), us_cell(floor.loop.p99_us),
                     format_count(floor.loop.calls_per_second()), cpu_cell(floor.cpu_us[0]),
                     cpu_cell(floor.cpu_us[1])});
  }

  for (size_t payload_size : o.payloads) {
    const std::string payload(payload_size, 'x');
    for (size_t callers : o.concurrency) {
      const std::string tag = absl::StrCat(format_bytes(payload_size), " x ", callers);
      if (std::string dead = w.dead_child(); !dead.empty()) {
        problems.push_back(dead);
        break;
      }

      progress(absl::StrCat("nats ", tag));
      RunOutcome nats;
      auto requesters = NatsRequesters::start(w.nats().port, kNatsSubject, payload, callers);
      if (!requesters.ok()) {
        nats.loop.error = std::string(requesters.status().message());
      } else {
        CpuProbe probe{{w.nats().process->pid(), 0}, {}, {}};
        NatsRequesters* r = requesters->get();
        nats = measure(
            o, callers, [r](size_t i, ClosedLoop::Done d) { r->issue(i, std::move(d)); }, probe, nullptr, {},
            [&requesters] { requesters->reset(); });
      }

      progress(absl::StrCat("rmb ", tag));
      const bool profile = perf && !perf_done && callers == max_callers && payload_size == min_payload;
      RunOutcome rmb;
      {
        // Every call has a 30 s deadline and the drain waits 40 s: all callbacks have run
        // when measure() returns, before `rc` goes.
        AppCallers rc(o, w.caller_peer().grpc_address, w.service_peer().twin, payload, callers);
        CpuProbe probe{
            {w.relay().process->pid(), w.caller_peer().process->pid(), w.service_peer().process->pid(), 0}, {}, {}};
        rmb = measure(o, callers, rc.issue(), probe, profile ? &*perf : nullptr, perf_targets, [] {});
      }
      if (profile) {
        perf_done = true;
        auto files = perf->finish();
        if (!files.ok()) {
          problems.push_back(absl::StrCat("perf: ", files.status().message()));
        } else {
          for (const auto& f : *files) progress("perf data: " + f);
        }
      }

      for (auto [name, r] : {std::pair{"rmb", &rmb}, std::pair{"nats", &nats}}) {
        if (!r->loop.error.empty()) problems.push_back(absl::StrCat(name, " ", tag, ": ", r->loop.error));
        if (r->loop.failures > 0 || (r->loop.error.empty() && r->loop.calls == 0)) {
          problems.push_back(
              absl::StrCat(name, " ", tag, ": ", r->loop.calls, " calls ok, ", r->loop.failures,
                           " failed; first failure: ", r->loop.first_failure.empty() ? "none" : r->loop.first_failure));
        }
      }
      const LoopResult& a = rmb.loop;
      const LoopResult& b = nats.loop;
      main_table.add({format_bytes(payload_size), absl::StrCat(callers), us_cell(a.p50_us), us_cell(a.p99_us),
                      format_count(a.calls_per_second()), us_cell(b.p50_us), us_cell(b.p99_us),
                      format_count(b.calls_per_second()), format_ratio(a.p50_us, b.p50_us),
                      format_ratio(a.calls_per_second(), b.calls_per_second()),
                      absl::StrCat(a.failures, "|", b.failures)});
      auto sum = [](const std::vector<double>& v) {
        double total = 0;
        for (double x : v) {
          if (x < 0) return -1.0;
          total += x;
        }
        return total;
      };
      auto row = [&](const std::vector<double> RunOutcome::*field) {
        auto at = [&](const RunOutcome& r, size_t i) { return i < (r.*field).size() ? (r.*field)[i] : -1.0; };
        auto total = [&](const RunOutcome& r) { return (r.*field).empty() ? -1.0 : sum(r.*field); };
        return std::vector<std::string>{format_bytes(payload_size), absl::StrCat(callers), cpu_cell(at(rmb, 0)),
                                        cpu_cell(at(rmb, 1)),       cpu_cell(at(rmb, 2)),  cpu_cell(at(rmb, 3)),
                                        cpu_cell(total(rmb)),       cpu_cell(at(nats, 0)), cpu_cell(at(nats, 1)),
                                        cpu_cell(total(nats))};
      };
      cpu_table.add(row(&RunOutcome::cpu_us));
      TargetRow t;
      t.payload = payload_size;
      t.callers = callers;
      t.cores = allowed_cpus().size();
      t.most_callers = callers == max_callers;
      t.crypto = crypto[payload_size];
      t.rmb_p50_us = a.p50_us;
      t.rmb_calls_per_second = a.calls_per_second();
      t.nats_p50_us = b.p50_us;
      t.peer_a_cpu_us = rmb.cpu_us.size() > 1 ? rmb.cpu_us[1] : -1;
      t.peer_b_cpu_us = rmb.cpu_us.size() > 2 ? rmb.cpu_us[2] : -1;
      t.switches = sum(rmb.switches);
      targets.add(t);
      switch_table.add(row(&RunOutcome::switches));
    }
  }

  std::cout << "\n== bench_gateway: secure round trip vs nats-server request-reply ==\n"
            << "rmb:  app -> rmb-peer A -> rmb-relay -> rmb-peer B -> echo service -> back; "
            << core::key_type_name(o.world.key_type) << " signatures, e2e encrypted (secp256k1 + AES-256-GCM)\n"
            << "nats: requester -> nats-server -> responder -> back; no crypto\n"
            << "app <-> peer gRPC over " << (o.world.unix_grpc ? "unix sockets" : "loopback TCP")
            << (o.calls_stream ? ", every caller's calls on one Gateway.Calls stream"
                               : ", a unary Gateway.Call per call")
            << "\n"
            << absl::StrFormat(
                   "%d CPUs, processes unpinned; %.1f s warm-up + %.1f s measured per run; "
                   "load average (1/5/15 min) at start: %s\n\n",
                   static_cast<int>(allowed_cpus().size()), o.warmup_s, o.duration_s, load_at_start);
  main_table.print(std::cout);
  std::cout << "\n";
  targets.print(std::cout);
  std::cout << "\nCPU microseconds per call (user + system, all threads), same runs:\n";
  cpu_table.print(std::cout);
  std::cout << "\nContext switches per call (voluntary + involuntary, all threads), same runs:\n";
  switch_table.print(std::cout);
  std::cout << "\nFloor of one app <-> rmb-peer gRPC hop (Gateway.Info on peer A: no relay, no crypto; a round trip "
               "has two such hops):\n";
  floor_table.print(std::cout);
  std::cout << "load average at end: " << load_averages() << "\n";
  for (const auto& p : problems) std::cout << "PROBLEM: " << p << "\n";
  if (std::string dead = w.dead_child(); !dead.empty()) {
    std::cout << "PROBLEM: " << dead << "\n";
    return 1;
  }
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace rmb::bench

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = rmb::bench::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  return rmb::bench::run(*options);
}
