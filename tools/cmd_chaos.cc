// `rmb chaos`: the reliability soak of issue 11. It needs nothing running: it builds a
// network of real processes on 127.0.0.1 (tools/chaos/network.h), drives N requests at
// concurrency C over every local and federated route and both front doors, and meanwhile
// kills relays, restarts Redis and kills one caller-side and one service-side rmb-peer.
// Then it counts, from both ends, what was lost, duplicated or mixed up (docs/chaos.md
// gives the accounting rules) and exits non-zero on any of it.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "tools/chaos/callers.h"
#include "tools/chaos/fault_injector.h"
#include "tools/chaos/fault_plan.h"
#include "tools/chaos/ledger.h"
#include "tools/chaos/network.h"
#include "tools/chaos/options.h"
#include "tools/chaos/report.h"
#include "tools/chaos/services.h"
#include "tools/command.h"
#include "tools/devnet_process.h"
#include "tools/signal_waiter.h"

namespace rmb::tools {
namespace {

namespace fs = std::filesystem;
using namespace chaos;

std::string elapsed_text(TimePoint start) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%.1f s", std::chrono::duration<double>(Clock::now() - start).count());
  return buf;
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

class Soak {
 public:
  Soak(const Options& o, const Topology& topology, Network& network)
      : o_(o), topology_(topology), network_(network), ledger_(o.requests, topology) {}

  // Returns why the run stopped early, or "" when it ran to the end.
  std::string run(const SignalWaiter& signals);
  Summary summary() const { return ledger_.summarize(start_); }
  double seconds() const { return std::chrono::duration<double>(end_ - start_).count(); }

 private:
  void worker();
  void one_request(uint64_t seq, std::map<uint32_t, std::unique_ptr<AppRedis>>& pushes);
  void log(const std::string& line) {
    std::lock_guard lock(log_mutex_);
    std::cerr << "rmb chaos: " << elapsed_text(start_) << " " << line << std::endl;
  }
  void abort_run(const std::string& why);

  const Options& o_;
  const Topology& topology_;
  Network& network_;
  Ledger ledger_;
  RedisGate gate_;
  std::atomic<bool> aborted_{false};
  std::atomic<bool> stop_clients_{false};
  std::atomic<uint64_t> next_{0}, issued_{0};
  std::atomic<size_t> workers_done_{0};
  std::map<uint32_t, std::unique_ptr<GrpcCaller>> grpc_callers_;
  std::map<uint32_t, std::unique_ptr<RedisCaller>> redis_callers_;
  std::unique_ptr<FaultInjector> injector_;
  TimePoint start_ = Clock::now(), end_ = Clock::now();
  std::mutex log_mutex_;
  std::mutex abort_mutex_;
  std::string abort_reason_;
};

void Soak::abort_run(const std::string& why) {
  {
    std::lock_guard lock(abort_mutex_);
    if (!abort_reason_.empty()) return;
    abort_reason_ = why;
  }
  aborted_ = true;
  log("aborting: " + why);
  if (injector_) injector_->abort();
  for (auto& [twin, c] : grpc_callers_) c->cancel_all();
}

void Soak::one_request(uint64_t seq, std::map<uint32_t, std::unique_ptr<AppRedis>>& pushes) {
  const Route& route = topology_.routes[seq % topology_.routes.size()];
  const std::string route_name = route.name();
  AttemptResult result;
  ++issued_;
  if (route.door == Door::kGrpc) {
    for (uint32_t attempt = 0;; ++attempt) {
      const std::string payload = make_payload(seq, attempt, route_name, o_.payload_bytes);
      const auto started = Clock::now();
      ledger_.begin(seq, route.index, attempt, started);
      result = grpc_callers_.at(route.caller)->call(route, payload, o_.expiration_s);
      if (result.result == Result::kPending) break;  // cancelled: the run is aborting
      ledger_.outcome_arrived(seq, attempt);
      // Its own rmb-peer died under the call: the app sends it again (a new attempt, its own
      // payload). The second of slack covers a call that set off just as the kill was logged.
      const bool own_peer_died =
          result.transport_failure &&
          ledger_.peer_killed_between(route.caller, started - std::chrono::seconds(1), Clock::now());
      if (!own_peer_died || attempt + 1 >= o_.max_attempts || aborted_.load()) break;
      // As an app would, send again only once its peer is back (the channel may still hold
      // the dead connection and fail a send at once).
      const auto give_up = started + std::chrono::seconds(o_.expiration_s);
      while (!ledger_.peer_back(route.caller) && Clock::now() < give_up && !aborted_.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  } else {
    auto& push = pushes[route.caller];
    if (!push) push = redis_callers_.at(route.caller)->push_connection(stop_clients_);
    const std::string payload = make_payload(seq, 0, route_name, o_.payload_bytes);
    ledger_.begin(seq, route.index, 0, Clock::now());
    result =
        redis_callers_.at(route.caller)->call(*push, seq, 0, route, payload, o_.expiration_s, o_.grace_s, aborted_);
  }
  // An aborted run leaves what it cut short unfinished rather than blaming the bus.
  if (aborted_.load() || result.result == Result::kPending) return;
  ledger_.finish(seq, result.result, result.detail, result.uid, Clock::now());
}

void Soak::worker() {
  std::map<uint32_t, std::unique_ptr<AppRedis>> pushes;  // this thread's connections, by caller twin
  for (;;) {
    const uint64_t seq = next_++;
    if (seq >= o_.requests || aborted_.load()) return;
    if (!injector_->before_issue(seq)) return;
    one_request(seq, pushes);
  }
}

std::string Soak::run(const SignalWaiter& signals) {
  std::vector<std::unique_ptr<EchoGrpcService>> grpc_services;
  std::vector<std::unique_ptr<EchoRedisWorker>> redis_workers;
  for (const auto& t : topology_.twins) {
    if (t.service) {
      grpc_services.push_back(std::make_unique<EchoGrpcService>(t.id, network_.peer_grpc(t.id), ledger_));
      // Two workers, so one slow pop does not hold up the queue.
      for (int i = 0; i < 2; ++i) {
        redis_workers.push_back(std::make_unique<EchoRedisWorker>(t.id, network_.peer_redis_url(t.id), gate_, ledger_));
      }
    }
    if (t.caller) {
      grpc_callers_[t.id] = std::make_unique<GrpcCaller>(t.id, network_.peer_grpc(t.id));
      redis_callers_[t.id] = std::make_unique<RedisCaller>(t.id, network_.peer_redis_url(t.id), gate_, ledger_);
    }
  }
  for (auto& s : grpc_services) s->start();
  for (auto& w : redis_workers) w->start();
  for (auto& [twin, c] : redis_callers_) c->start();
  const auto registered_by = Clock::now() + o_.network.start_timeout;
  for (auto& s : grpc_services) {
    while (s->registrations() == 0 && Clock::now() < registered_by && !signals.signalled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  for (auto& s : grpc_services) {
    if (s->registrations() == 0) return "an echo service could not register on its rmb-peer in time";
  }

  const auto plan = make_fault_plan(
      {o_.requests, o_.relay_kills, o_.redis_restart, o_.peer_kills, o_.seed, o_.max_downtime}, topology_);
  injector_ = std::make_unique<FaultInjector>(plan, network_, ledger_, gate_, [this](const std::string& l) { log(l); });
  start_ = Clock::now();
  log("sending " + std::to_string(o_.requests) + " requests over " + std::to_string(topology_.routes.size()) +
      " routes at concurrency " + std::to_string(o_.concurrency) + "; " + std::to_string(plan.size()) +
      " faults planned");
  injector_->start();
  std::vector<std::thread> workers;
  for (uint32_t i = 0; i < o_.concurrency; ++i) {
    workers.emplace_back([this] {
      worker();
      ++workers_done_;
    });
  }

  // Watch: progress, Ctrl-C, processes dying on their own, a failed restart.
  auto next_line =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.progress_s));
  auto watch_once = [&] {
    if (signals.signalled()) abort_run("interrupted");
    if (auto dead = network_.unexpected_exit()) abort_run(*dead);
    if (auto f = injector_->failure(); !f.empty()) abort_run(f);
    if (Clock::now() >= next_line) {
      next_line += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.progress_s));
      const uint64_t done = ledger_.finished();
      log(std::to_string(done) + "/" + std::to_string(o_.requests) + " finished, " + std::to_string(ledger_.not_ok()) +
          " not answered correctly, " + std::to_string(issued_.load() - done) + " in flight, faults " +
          std::to_string(injector_->struck()) + "/" + std::to_string(injector_->planned()));
    }
  };
  while (workers_done_.load() < workers.size()) {
    watch_once();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& w : workers) w.join();
  injector_->join();
  if (!aborted_.load()) {
    log("all requests finished; watching " + format_seconds(o_.settle_s) + " of quiet for late duplicates");
    // Quiet for --settle seconds in a row (bounded: a flood of late repeats is itself news).
    const auto settle = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.settle_s));
    const auto give_up = Clock::now() + settle + std::chrono::seconds(60);
    auto quiet_since = Clock::now();
    uint64_t seen = ledger_.activity();
    while (Clock::now() - quiet_since < settle && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      watch_once();
      if (ledger_.activity() != seen) {
        seen = ledger_.activity();
        quiet_since = Clock::now();
      }
    }
  }
  end_ = Clock::now();
  stop_clients_ = true;
  for (auto& [twin, c] : redis_callers_) c->stop();
  for (auto& w : redis_workers) w->stop();
  for (auto& s : grpc_services) s->stop();
  std::lock_guard lock(abort_mutex_);
  return abort_reason_;
}

std::string network_line(const Options& o, const Network& network, const Topology& topology) {
  size_t federated = 0;
  for (const auto& r : topology.routes) federated += r.federated ? 1 : 0;
  return "relays A " + network.relay_domain('A') + " and B " + network.relay_domain('B') +
         " (federating over http, Redis dbs 0 and 1; redis-server with appendonly, restarted by SIGTERM); twins 1,3 on "
         "A, "
         "2,4 on B; " +
         std::to_string(topology.routes.size()) + " routes (" + std::to_string(topology.routes.size() - federated) +
         " local, " + std::to_string(federated) + " federated); faults: " + std::to_string(o.relay_kills) +
         " relay kills" + (o.redis_restart ? ", 1 Redis restart" : "") +
         (o.peer_kills ? ", 1 caller-side + 1 service-side peer kill" : "");
}

int chaos_command(const Invocation& inv) {
  bool help = false;
  Options o = parse(inv, &help);
  if (help) return kExitOk;
  // hiredis and the soak's sockets write with write(2): a peer that died must be an error
  // return, not a SIGPIPE that ends the soak.
  ::signal(SIGPIPE, SIG_IGN);
  SignalWaiter signals;  // before gRPC starts its threads
  const Topology topology = make_topology();
  std::cerr << "rmb chaos: seed " << o.seed << ", state in " << o.dir << "; starting redis-server, 2 relays, "
            << topology.twins.size() << " rmb-peers" << std::endl;
  Network network(o.network, topology);
  signals.on_signal([](int) {});
  network.start();
  std::cerr << "rmb chaos: network up: " << network_line(o, network, topology) << std::endl;

  Soak soak(o, topology, network);
  const std::string aborted = soak.run(signals);
  network.stop();
  const Summary summary = soak.summary();
  const bool passed = summary.passed() && aborted.empty();
  const bool keep = o.keep || o.dir_given || !passed;
  RunInfo info;
  info.requests = o.requests;
  info.concurrency = o.concurrency;
  info.seed = o.seed;
  info.expiration_s = o.expiration_s;
  info.seconds = soak.seconds();
  info.network = network_line(o, network, topology);
  info.logs = network.logs_dir();
  info.logs_kept = keep;
  info.aborted = aborted;
  const std::string table = format_report(info, summary);
  const std::string json = report_json(info, summary).dump(2) + "\n";
  print_out(o.json ? json : table);
  if (!keep) {
    std::error_code ec;
    fs::remove_all(o.dir, ec);
  } else {
    // Beside the logs, so a kept directory explains itself.
    std::ofstream(fs::path(o.dir) / "report.txt") << table;
    std::ofstream(fs::path(o.dir) / "report.json") << json;
    std::cerr << "rmb chaos: state, logs and report kept in " << o.dir << std::endl;
  }
  return passed ? kExitOk : kExitFailure;
}

const RegisterCommand kRegister({"chaos",
                                 "reliability soak: kill relays, Redis and peers under load; count loss and duplicates",
                                 chaos_command});

}  // namespace
}  // namespace rmb::tools
