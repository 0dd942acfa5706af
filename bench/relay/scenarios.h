#pragma once
// bench_relay's three tables (bench/relay/main.cc): the servers of a phase, and each
// scenario run against them and printed with its configuration.
#include <cstddef>
#include <optional>
#include <string>

#include "bench/relay/fixture.h"
#include "bench/relay/options.h"
#include "bench/relay/servers.h"

namespace rmb::bench {

// A progress line on stderr (the tables go to stdout).
void progress(const std::string& text);

// The servers of one phase; absent when they could not start (the reason is kept).
struct Servers {
  std::optional<RunningServer> relay;
  std::optional<RunningServer> nats;
  std::string relay_error;
  std::string nats_error;
};

Servers start_servers(const Options& o, const Fixture& fx, const CpuPlan& cpus, unsigned relay_threads,
                      const std::string& tag);
// A server that died during a section makes every later number of it meaningless: say so
// loudly, with the end of its log.
void check_alive(Servers& s);
void stop_servers(Servers& s);

// `next_identity` hands out fixture identities: each run gets fresh twins.
void run_throughput(const Options& o, const Fixture& fx, const Servers& s, size_t& next_identity,
                    const std::string& config);
void run_latency(const Options& o, const Fixture& fx, const Servers& s, size_t& next_identity,
                 const std::string& config);
// On fresh servers of its own.
void run_memory(const Options& o, const Fixture& fx, const CpuPlan& cpus, unsigned relay_threads, size_t first_idle,
                const std::string& config);

}  // namespace rmb::bench
