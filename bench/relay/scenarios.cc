#include "bench/relay/scenarios.h"

#include <unistd.h>

#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "bench/relay/cli_util.h"
#include "bench/relay/idle_memory.h"
#include "bench/relay/latency.h"
#include "bench/relay/proc_stats.h"
#include "bench/relay/report.h"
#include "bench/relay/throughput.h"

namespace rmb::bench {

using std::chrono::milliseconds;

void progress(const std::string& text) { std::cerr << "[bench] " << text << std::endl; }

namespace {

// Printed under every table: numbers taken on a busy machine are not comparable.
void print_load(size_t cpus) {
  const double load = load_average_1m();
  std::cout << "load average (1 min) at the end of this table: " << format_fixed(load, 2);
  if (load > 0.5 * static_cast<double>(cpus)) {
    std::cout << "  WARNING: the machine was busy with other work; absolute numbers are "
                 "pessimistic, the rmb/nats ratios less so";
  }
  std::cout << "\n";
}

std::string status_cell(const std::string& error, uint64_t anomalies) {
  if (!error.empty()) return "ERROR: " + error;
  return anomalies == 0 ? "ok" : absl::StrCat(anomalies, " anomalies");
}

}  // namespace

Servers start_servers(const Options& o, const Fixture& fx, const CpuPlan& cpus, unsigned relay_threads,
                      const std::string& tag) {
  Servers s;
  RelayLaunch launch{o.relay,
                     fx.directory_file(),
                     kDomain,
                     {"--threads", std::to_string(relay_threads), "--no-federation"},
                     fx.dir() + "/relay-" + tag + ".log",
                     cpus.servers};
  auto relay = start_relay(launch);
  if (relay.ok()) {
    s.relay = std::move(*relay);
    progress(absl::StrCat("rmb-relay (", tag, ") pid ", s.relay->process->pid(), " on 127.0.0.1:", s.relay->port));
  } else {
    s.relay_error = std::string(relay.status().message());
    progress("rmb-relay did not start: " + s.relay_error);
  }
  auto nats = start_nats(o.nats, fx.dir() + "/nats-" + tag + ".log", cpus.servers);
  if (nats.ok()) {
    s.nats = std::move(*nats);
    progress(absl::StrCat("nats-server (", tag, ") pid ", s.nats->process->pid(), " on 127.0.0.1:", s.nats->port));
  } else {
    s.nats_error = std::string(nats.status().message());
    progress("nats-server did not start: " + s.nats_error);
  }
  return s;
}

void check_alive(Servers& s) {
  static std::set<pid_t> reported;
  for (auto* server : {&s.relay, &s.nats}) {
    if (*server && !(*server)->process->running() && reported.insert((*server)->process->pid()).second) {
      std::cout << "WARNING: " << (server == &s.relay ? "rmb-relay" : "nats-server") << " "
                << (*server)->process->exit_description() << " during the run; log tail:\n"
                << (*server)->process->log_tail() << "\n";
    }
  }
}

void stop_servers(Servers& s) {
  if (s.relay) s.relay->process->stop();
  if (s.nats) s.nats->process->stop();
}

namespace {

// Server CPU time per delivered message, in microseconds ("-" when unknown).
std::string cpu_per_message(const ThroughputResult& r) {
  if (!r.error.empty() || r.server_cpu_seconds < 0 || r.delivered == 0) return "-";
  return format_fixed(r.server_cpu_seconds * 1e6 / static_cast<double>(r.delivered), 2);
}

// Share of one core used during the measured window.
std::string cpu_share(double cpu_seconds, const ThroughputResult& r) {
  if (!r.error.empty() || cpu_seconds < 0 || r.seconds <= 0) return "-";
  return format_fixed(100.0 * cpu_seconds / r.seconds, 0) + "%";
}

double cpu_us(const ThroughputResult& r) {
  if (!r.error.empty() || r.server_cpu_seconds <= 0 || r.delivered == 0) return 0;
  return r.server_cpu_seconds * 1e6 / static_cast<double>(r.delivered);
}

}  // namespace

void run_throughput(const Options& o, const Fixture& fx, const Servers& s, size_t& next_identity,
                    const std::string& config) {
  Table table({"pairs", "payload", "env bytes", "rmb env/s", "nats msg/s", "rmb/nats", "relay cpu", "nats cpu",
               "relay cpu us/msg", "nats cpu us/msg", "cpu/msg rmb/nats", "bench cpu rmb|nats", "rmb check",
               "nats check", "config"});
  for (size_t pairs : o.pairs) {
    for (size_t payload : o.payloads) {
      ThroughputConfig tc{pairs, payload, o.window, Window{ms(o.warmup_s), ms(o.duration_s)}};
      ThroughputResult rmb, nats;
      if (!s.relay) rmb.error = "relay not running";
      if (!s.nats) nats.error = "nats-server not running";
      if (s.relay) {
        progress(absl::StrCat("throughput rmb pairs=", pairs, " payload=", payload));
        tc.server_pid = s.relay->process->pid();
        rmb = run_rmb_throughput(fx, next_identity, s.relay->port, tc);
      }
      next_identity += 2 * pairs;
      if (s.nats) {
        progress(absl::StrCat("throughput nats pairs=", pairs, " payload=", payload));
        tc.server_pid = s.nats->process->pid();
        nats = run_nats_throughput(s.nats->port, tc);
      }
      const std::string row_config =
          absl::StrCat("pairs=", pairs, " payload=", format_bytes(payload), " window=", o.window,
                       "/pair warmup=", o.warmup_s, "s measure=", o.duration_s, "s ", config);
      table.add(
          {std::to_string(pairs), format_bytes(payload), rmb.message_bytes ? std::to_string(rmb.message_bytes) : "-",
           rmb.error.empty() ? format_count(rmb.per_second) : "-",
           nats.error.empty() ? format_count(nats.per_second) : "-", format_ratio(rmb.per_second, nats.per_second),
           cpu_share(rmb.server_cpu_seconds, rmb), cpu_share(nats.server_cpu_seconds, nats), cpu_per_message(rmb),
           cpu_per_message(nats), format_ratio(cpu_us(rmb), cpu_us(nats)),
           cpu_share(rmb.bench_cpu_seconds, rmb) + "|" + cpu_share(nats.bench_cpu_seconds, nats),
           status_cell(rmb.error, rmb.anomalies), status_cell(nats.error, nats.anomalies), row_config});
    }
  }
  std::cout << "\n== Routing throughput: messages delivered per second, sender -> server -> receiver ==\n"
               "rmb: signed request envelopes twin->twin through rmb-relay (WebSocket binary frames);\n"
               "nats: PUB/SUB, one subject and two TCP connections per pair. Same payload sizes.\n"
               "cpu = server CPU time / measured wall time (100% = one core); cpu us/msg = server CPU\n"
               "time per delivered message, the figure least distorted by other load on the machine.\n";
  table.print(std::cout);
  print_load(static_cast<size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
}

void run_latency(const Options& o, const Fixture& fx, const Servers& s, size_t& next_identity,
                 const std::string& config) {
  Table table({"payload", "round trip", "server passes", "p50 us", "p99 us", "mean us", "samples", "check", "config"});
  Table ratios({"payload", "comparison", "p50 ratio", "p99 ratio"});
  auto row = [&](size_t payload, const std::string& what, const char* passes, const LatencyResult& r,
                 const std::string& row_config) {
    table.add({format_bytes(payload), what, passes, r.error.empty() ? format_fixed(r.p50_us, 1) : "-",
               r.error.empty() ? format_fixed(r.p99_us, 1) : "-", r.error.empty() ? format_fixed(r.mean_us, 1) : "-",
               std::to_string(r.samples), status_cell(r.error, r.anomalies), row_config});
  };
  auto ratio = [&](size_t payload, const std::string& what, const LatencyResult& a, const LatencyResult& b) {
    ratios.add({format_bytes(payload), what, format_ratio(a.p50_us, b.p50_us), format_ratio(a.p99_us, b.p99_us)});
  };
  LatencyResult nats_ping;
  if (!s.nats) nats_ping.error = "nats-server not running";
  for (size_t payload : o.payloads) {
    LatencyConfig lc{payload, Window{milliseconds(500), ms(o.latency_s)}};
    const std::string row_config = absl::StrCat("in-flight=1 warmup=0.5s measure=", o.latency_s, "s ", config);
    LatencyResult ping, echo, request;
    if (!s.relay) ping.error = echo.error = "relay not running";
    if (!s.nats) request.error = "nats-server not running";
    if (s.relay) {
      progress(absl::StrCat("latency rmb ping payload=", payload));
      ping = run_rmb_ping_latency(fx, next_identity, s.relay->port, lc);
      progress(absl::StrCat("latency rmb request/response payload=", payload));
      echo = run_rmb_echo_latency(fx, next_identity + 1, next_identity + 2, s.relay->port, lc);
    }
    next_identity += 3;
    if (s.nats) {
      progress(absl::StrCat("latency nats request-reply payload=", payload));
      request = run_nats_request_latency(s.nats->port, lc);
      if (payload == o.payloads.front()) {
        progress("latency nats PING/PONG");
        nats_ping = run_nats_ping_latency(s.nats->port, lc);
      }
    }
    row(payload, "rmb envelope ping -> pong", "1", ping, row_config);
    row(payload, "rmb request -> responder -> response", "2", echo, row_config);
    row(payload, "nats request -> responder -> reply", "2", request, row_config);
    if (payload == o.payloads.front()) row(0, "nats protocol PING -> PONG", "1", nats_ping, row_config);
    ratio(payload, "rmb ping->pong / nats request-reply", ping, request);
    ratio(payload, "rmb request->response / nats request-reply (like for like)", echo, request);
    ratio(payload, "rmb ping->pong / nats PING->PONG (one pass each)", ping, nats_ping);
  }
  std::cout << "\n== Round-trip latency, one message in flight (microseconds, steady clock) ==\n";
  table.print(std::cout);
  std::cout << "\nLatency ratios (rmb / nats; < 1 means rmb is faster):\n";
  ratios.print(std::cout);
  print_load(static_cast<size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
}

void run_memory(const Options& o, const Fixture& fx, const CpuPlan& cpus, unsigned relay_threads, size_t first_idle,
                const std::string& config) {
  // Fresh servers: the throughput runs would have grown the heaps already, which would
  // hide part of the per-connection cost.
  Servers s = start_servers(o, fx, cpus, relay_threads, "memory");
  IdleConfig ic;
  ic.connections = o.idle;
  IdleResult relay;
  if (!s.relay) relay.error = "relay not running: " + s.relay_error;
  IdleResult nats;
  if (!s.nats) nats.error = "nats-server not running: " + s.nats_error;
  if (s.relay) {
    progress(absl::StrCat("memory rmb: ", o.idle, " idle WebSocket sessions"));
    relay = run_relay_idle(fx, first_idle, s.relay->port, s.relay->process->pid(), ic);
  }
  if (s.nats) {
    progress(absl::StrCat("memory nats: ", o.idle, " idle TCP clients"));
    nats = run_nats_idle(s.nats->port, s.nats->process->pid(), ic);
  }
  check_alive(s);
  stop_servers(s);
  Table table({"server", "connections", "open at measure", "failed", "RSS before KiB", "RSS after KiB",
               "KiB / connection", "connect s", "check", "config"});
  auto row = [&](const std::string& name, const IdleResult& r, const std::string& what) {
    std::string check = r.error.empty() ? "ok" : "ERROR: " + r.error;
    if (r.failed > 0) check += absl::StrCat(" (first failure: ", r.first_failure, ")");
    table.add({name, std::to_string(o.idle), std::to_string(r.open_at_measure), std::to_string(r.failed),
               std::to_string(r.rss_before_kib), std::to_string(r.rss_after_kib),
               r.open_at_measure ? format_fixed(r.per_connection_kib, 2) : "-", format_fixed(r.connect_seconds, 2),
               check, absl::StrCat(what, ", fresh server, settle=2s ", config)});
  };
  row("rmb-relay", relay, "distinct twin per WebSocket, JWT-authenticated");
  row("nats-server", nats, "CONNECT + PING/PONG per TCP client");
  std::cout << "\n== Memory per idle authenticated connection (server VmRSS delta / open connections) ==\n";
  table.print(std::cout);
  std::cout << "issue 3 target: rmb-relay <= 16 KiB per connection -> "
            << (relay.error.empty() && relay.open_at_measure > 0 ? (relay.per_connection_kib <= 16 ? "MET" : "NOT MET")
                                                                 : "not measured")
            << "\n";
  std::cout << "rmb/nats memory per connection: " << format_ratio(relay.per_connection_kib, nats.per_connection_kib)
            << "\n";
  print_load(static_cast<size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
}

}  // namespace rmb::bench
