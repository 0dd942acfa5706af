// bench_relay: issue 3's relay numbers, printed (not asserted).
//  1. routing throughput (envelopes/s) through rmb-relay vs PUB/SUB through nats-server,
//  2. round-trip latency p50/p99 (one in flight) vs NATS request-reply and PING/PONG,
//  3. memory per idle authenticated connection (10 000 clients) vs nats-server.
// It starts everything itself (temp dir, fresh twins, twins.json, both servers on free
// loopback ports), stops by itself, and kills its child servers at the end.
//
// CPU placement: the machine this was written for has 2 cores. The bench runs on ONE
// thread pinned to the first allowed CPU; both servers are pinned to the remaining CPUs
// (rmb-relay with --threads = that count; nats-server's Go runtime sizes GOMAXPROCS from
// the same affinity mask), so client and server do not steal each other's core. Loopback
// TCP still does part of the receiving side's kernel work on the sending CPU.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/relay/fixture.h"
#include "bench/relay/options.h"
#include "bench/relay/proc_stats.h"
#include "bench/relay/report.h"
#include "bench/relay/scenarios.h"

namespace rmb::bench {
namespace {

namespace fs = std::filesystem;

int run(const Options& o) {
  auto nofile = raise_nofile_limit();
  if (!nofile.ok()) progress(std::string(nofile.status().message()));
  Options opts = o;
  const uint64_t fds = nofile.ok() ? *nofile : 1024;
  if (opts.scenarios.count("memory") && opts.idle + 200 > fds) {
    opts.idle = fds > 400 ? fds - 400 : 0;
    progress(absl::StrCat("file limit ", fds, ": idle connections reduced to ", opts.idle));
  }

  CpuPlan cpus;
  const std::vector<int> allowed = allowed_cpus();
  if (opts.pin && allowed.size() >= 2) {
    cpus.bench = {allowed.front()};
    cpus.servers.assign(allowed.begin() + 1, allowed.end());
    if (auto st = pin_to_cpus(0, cpus.bench); !st.ok()) {
      progress(std::string(st.message()));
      cpus = CpuPlan{};
    }
  }
  const unsigned relay_threads =
      opts.relay_threads ? opts.relay_threads
                         : static_cast<unsigned>(cpus.servers.empty() ? allowed.size() : cpus.servers.size());
  const std::string config = absl::StrCat(cpus.describe(), ", relay-threads=", relay_threads);

  // Fresh twins for every run: 2 per pair per throughput run, 3 per latency payload, one
  // per idle connection.
  size_t pair_sum = 0;
  for (size_t p : opts.pairs) pair_sum += p;
  const size_t for_throughput = opts.scenarios.count("throughput") ? 2 * pair_sum * opts.payloads.size() : 0;
  const size_t for_latency = opts.scenarios.count("latency") ? 3 * opts.payloads.size() : 0;
  const size_t first_idle = for_throughput + for_latency;
  const size_t identities = first_idle + (opts.scenarios.count("memory") ? opts.idle : 0);
  size_t next_identity = 0;
  progress(absl::StrCat("creating ", identities, " ed25519 twins"));
  auto fx = Fixture::create(identities, kDomain);
  if (!fx.ok()) {
    std::cerr << "bench_relay: " << fx.status().message() << "\n";
    return 1;
  }

  std::cout << "bench_relay: rmb-relay vs nats-server on 127.0.0.1\n"
            << "  relay:       " << opts.relay << " (--domain " << kDomain << ", in-memory mailbox)\n"
            << "  nats-server: " << opts.nats << "\n"
            << "  cpus:        " << allowed.size() << " allowed; " << config << "\n"
            << "  load avg:    " << format_fixed(load_average_1m(), 2) << " (1 min) at start\n"
            << "  twins:       " << identities << " (ed25519, random seeds) in " << (*fx)->directory_file() << "\n";
  std::cout.flush();

  if (opts.scenarios.count("throughput") || opts.scenarios.count("latency")) {
    Servers s = start_servers(opts, **fx, cpus, relay_threads, "main");
    if (!s.relay) std::cout << "  relay not running: " << s.relay_error << "\n";
    if (!s.nats) std::cout << "  nats-server not running: " << s.nats_error << "\n";
    if (opts.scenarios.count("throughput")) {
      run_throughput(opts, **fx, s, next_identity, config);
      check_alive(s);
    }
    if (opts.scenarios.count("latency")) {
      run_latency(opts, **fx, s, next_identity, config);
      check_alive(s);
    }
    stop_servers(s);
  }
  if (opts.scenarios.count("memory")) run_memory(opts, **fx, cpus, relay_threads, first_idle, config);

  if (opts.keep_temp) {
    std::cout << "\ntemp dir kept: " << (*fx)->dir() << "\n";
    // The fixture removes its dir on destruction; keep it by moving the files out of reach.
    std::error_code ec;
    const fs::path kept = fs::path((*fx)->dir() + "-kept");
    fs::rename((*fx)->dir(), kept, ec);
    if (!ec) std::cout << "  (moved to " << kept.string() << ")\n";
  }
  return 0;
}

}  // namespace
}  // namespace rmb::bench

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = rmb::bench::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  return rmb::bench::run(*options);
}
