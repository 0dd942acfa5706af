// bench_compat: round trips through the Redis front door of rmb-peer, next to the floor of
// any Redis-queue bus, in the same run on the same redis-server.
//
//   rmb:  Redis caller -LPUSH msgbus.system.local-> gateway 1 -> rmb-relay -> gateway 2
//         -LPUSH msgbus.<cmd>-> Redis worker -LPUSH msgbus.system.reply-> gateway 2 -> relay
//         -> gateway 1 -LPUSH ret-> caller (BRPOP). Signed (ed25519) and end-to-end encrypted.
//   bare: caller LPUSH ping -> worker BRPOP, LPUSH the caller's list -> caller BRPOP.
//   gw:   the same two gateways and relay without Redis: Outbox::request on gateway 1, an
//         in-process echo service on gateway 2 (the floor the front door sits on; rmb - gw
//         is what the Redis front door itself adds to a call).
//
// Gateways run in-process (tests/compat/inproc_peer.h: Engine + relay links + front door)
// against the real rmb-relay binary; each gateway has its own database of one
// redis-server. Numbers are printed, never asserted.
//
// Besides latency and calls/s, each measured run prints where the CPU went per call
// (redis-server, rmb-relay, the caller's peer A, the service's peer B, the rest of this
// process: the bench's Redis callers and workers) and, for bare and rmb, the Redis commands
// per call from INFO commandstats (with their usec_per_call inside Redis).
//
//   bench_compat [--duration S] [--warmup S] [--concurrency 1,64] [--payload BYTES] [--workers N]
//                [--paths bare,gw,rmb]
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/relay/cli_util.h"
#include "bench/relay/proc_stats.h"
#include "compat/shapes.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "core/util/bytes.h"
#include "inproc_peer.h"
#include "tests/support/redis_server.h"

namespace rmb::compat::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Config {
  int duration = 5;
  int warmup = 1;
  std::vector<int> concurrency = {1, 64};
  size_t payload = 64;
  int workers = 4;
  std::set<std::string> paths = {"bare", "gw", "rmb"};
};

// CPU seconds of each part of a run, and Redis' command counters, at one instant.
struct Snapshot {
  double redis = 0, relay = 0, peer_a = 0, peer_b = 0, process = 0;
  double switches_a = 0, switches_b = 0;                          // context switches of the peers' threads
  std::map<std::string, std::pair<uint64_t, uint64_t>> commands;  // name -> calls, usec
};

struct Result {
  double p50_us = 0, p99_us = 0, calls_per_s = 0;
  uint64_t calls = 0, failures = 0;
  Snapshot used;  // the measured seconds' CPU and commands (end - start)
};

// The servers this run started: std::exit runs no destructors, and a redis-server left
// behind keeps the port and the bench's stdout (a pipe reading it would never end).
std::atomic<pid_t> started_redis{0}, started_relay{0};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_compat: %s\n", what.c_str());
  for (pid_t pid : {started_redis.load(), started_relay.load()}) {
    if (pid > 0) ::kill(pid, SIGKILL);
  }
  std::exit(1);
}

std::unique_ptr<core::RedisConn> connect(const std::string& url) {
  auto u = core::parse_redis_url(url);
  if (!u.ok()) die(std::string(u.status().message()));
  auto c = core::RedisConn::connect(*u, 5000ms);
  if (!c.ok()) die(std::string(c.status().message()));
  (*c)->set_timeout(15000ms);
  return std::move(*c);
}

// BRPOP with a short timeout so that stop flags are seen; the value or "" on timeout.
std::optional<std::string> brpop(core::RedisConn& c, const std::string& list, const char* timeout = "1") {
  auto r = c.command({"BRPOP", list, timeout});
  if (!r.ok()) die(absl::StrCat("BRPOP: ", r.status().message()));
  if ((*r)->type != REDIS_REPLY_ARRAY) return std::nullopt;
  return std::string((*r)->element[1]->str, (*r)->element[1]->len);
}

void lpush(core::RedisConn& c, const std::string& list, const std::string& value) {
  auto r = c.command({"LPUSH", list, value});
  if (!r.ok()) die(absl::StrCat("LPUSH: ", r.status().message()));
}

// The thread ids of this process now (/proc/self/task).
std::set<pid_t> tasks() {
  std::set<pid_t> out;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    int tid = 0;
    if (absl::SimpleAtoi(e->d_name, &tid)) out.insert(tid);
  }
  closedir(dir);
  return out;
}

std::set<pid_t> minus(const std::set<pid_t>& a, const std::set<pid_t>& b) {
  std::set<pid_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

// CPU seconds (user + system) of thread `tid` of this process: /proc/self/task/<tid>/stat
// (/proc/<tid>/stat would give the whole process), fields 14 and 15 after the name's ')'.
double thread_cpu_seconds(pid_t tid) {
  std::ifstream in(absl::StrCat("/proc/self/task/", tid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;  // the thread has ended
  std::vector<std::string> fields = absl::StrSplit(text.substr(close + 2), ' ');
  uint64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) || !absl::SimpleAtoi(fields[12], &stime)) return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Context switches (voluntary + involuntary) of thread `tid` of this process so far: each
// is a hand-off to or from another thread (or a wait for Redis or the relay).
double thread_switches(pid_t tid) {
  std::ifstream in(absl::StrCat("/proc/self/task/", tid, "/status"));
  std::string line;
  uint64_t total = 0;
  while (std::getline(in, line)) {
    absl::string_view rest(line);
    uint64_t n = 0;
    if ((absl::ConsumePrefix(&rest, "voluntary_ctxt_switches:") ||
         absl::ConsumePrefix(&rest, "nonvoluntary_ctxt_switches:")) &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &n)) {
      total += n;
    }
  }
  return static_cast<double>(total);
}

// Reads the CPU of every part of a run: the two in-process peers are the threads each one's
// start created, the rest of this process is the bench's own clients.
class Probe {
 public:
  explicit Probe(const std::string& url) : conn_(connect(url)) {
    auto info = conn_->command({"INFO", "server"});
    if (!info.ok() || (*info)->type != REDIS_REPLY_STRING) die("INFO server failed");
    for (auto line : absl::StrSplit(absl::string_view((*info)->str, (*info)->len), "\r\n")) {
      if (absl::ConsumePrefix(&line, "process_id:") && absl::SimpleAtoi(line, &redis_)) break;
    }
    if (redis_ == 0) die("no process_id in INFO server");
    started_redis = redis_;
  }
  std::set<pid_t> peer_a, peer_b;
  pid_t relay = 0;

  Snapshot take() {
    Snapshot s;
    auto cpu = [](pid_t pid) { return ::rmb::bench::cpu_seconds(pid).value_or(0.0); };
    s.redis = cpu(redis_);
    s.relay = relay > 0 ? cpu(relay) : 0;
    s.process = cpu(0);
    for (pid_t t : peer_a) {
      s.peer_a += thread_cpu_seconds(t);
      s.switches_a += thread_switches(t);
    }
    for (pid_t t : peer_b) {
      s.peer_b += thread_cpu_seconds(t);
      s.switches_b += thread_switches(t);
    }
    auto info = conn_->command({"INFO", "commandstats"});
    if (!info.ok() || (*info)->type != REDIS_REPLY_STRING) die("INFO commandstats failed");
    // cmdstat_<name>:calls=N,usec=U,usec_per_call=...
    for (auto line : absl::StrSplit(absl::string_view((*info)->str, (*info)->len), "\r\n")) {
      if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
      std::pair<absl::string_view, absl::string_view> name_rest = absl::StrSplit(line, absl::MaxSplits(':', 1));
      uint64_t calls = 0, usec = 0;
      for (auto field : absl::StrSplit(name_rest.second, ',')) {
        if (absl::ConsumePrefix(&field, "calls=")) (void)absl::SimpleAtoi(field, &calls);
        if (absl::ConsumePrefix(&field, "usec=")) (void)absl::SimpleAtoi(field, &usec);
      }
      s.commands[std::string(name_rest.first)] = {calls, usec};
    }
    return s;
  }

 private:
  std::unique_ptr<core::RedisConn> conn_;
  pid_t redis_ = 0;
};

Snapshot operator-(const Snapshot& end, const Snapshot& start) {
  Snapshot d{end.redis - start.redis,           end.relay - start.relay,
             end.peer_a - start.peer_a,         end.peer_b - start.peer_b,
             end.process - start.process,       end.switches_a - start.switches_a,
             end.switches_b - start.switches_b, {}};
  for (const auto& [name, v] : end.commands) {
    auto it = start.commands.find(name);
    auto before = it == start.commands.end() ? std::pair<uint64_t, uint64_t>{0, 0} : it->second;
    if (v.first > before.first) d.commands[name] = {v.first - before.first, v.second - before.second};
  }
  return d;
}

// Runs `concurrency` callers doing `call(i, conn)` in a loop; latency recorded after warm-up.
template <typename Call>
Result measure(const Config& cfg, Probe& probe, int concurrency, const std::string& url, Call call) {
  std::atomic<bool> measuring{false}, stop{false};
  std::vector<std::vector<double>> lat(concurrency);
  std::vector<uint64_t> failures(concurrency, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < concurrency; ++i) {
    threads.emplace_back([&, i] {
      auto conn = connect(url);
      while (!stop) {
        auto t0 = Clock::now();
        bool ok = call(i, *conn);
        auto us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        if (!measuring || stop) continue;
        if (ok) {
          lat[i].push_back(us);
        } else {
          ++failures[i];
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(cfg.warmup));
  Snapshot before = probe.take();
  auto start = Clock::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::seconds(cfg.duration));
  stop = true;
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  Snapshot after = probe.take();
  for (auto& t : threads) t.join();
  std::vector<double> all;
  Result r;
  for (int i = 0; i < concurrency; ++i) {
    all.insert(all.end(), lat[i].begin(), lat[i].end());
    r.failures += failures[i];
  }
  std::sort(all.begin(), all.end());
  r.calls = all.size();
  if (!all.empty()) {
    r.p50_us = all[all.size() / 2];
    r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  r.calls_per_s = static_cast<double>(r.calls) / secs;
  r.used = after - before;
  return r;
}

// Redis workers of the bench command: (b) in, (c) out with the same payload.
struct Workers {
  Workers(int n, const std::string& url) {
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([this, url] {
        auto conn = connect(url);
        while (!stop) {
          auto in = brpop(*conn, "msgbus.bench.echo");
          if (!in) continue;
          auto b = parse_incoming_request(*in);
          if (!b.ok()) die(absl::StrCat("worker got a bad request: ", b.status().message()));
          ResponseJson c;
          c.ref = b->ref;
          c.dat = b->dat;
          c.dst = b->src;
          c.shm = b->shm;
          lpush(*conn, "msgbus.system.reply", to_json(c));
        }
      });
    }
  }
  ~Workers() {
    stop = true;
    for (auto& t : threads) t.join();
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
};

// gw's service: answers with the request's data from the gateway's own thread, as the gRPC
// Serve stream's services are offered requests.
class EchoService : public gateway::RequestSink {
 public:
  explicit EchoService(gateway::Outbox& outbox) : outbox_(outbox) {}
  bool offer(const gateway::IncomingRequest& r) override {
    gateway::ServiceReply reply;
    reply.data = r.data;
    outbox_.reply(r.uid, r.source, std::move(reply));
    return true;
  }

 private:
  gateway::Outbox& outbox_;
};

// One call through gateway 1's Outbox to twin 2's echo service; true when echoed in time.
bool gateway_call(gateway::Outbox& outbox, const std::string& payload) {
  gateway::OutgoingRequest request;
  request.destinations = {core::AddressText{2, std::nullopt}};
  request.command = "bench.floor";
  request.data = payload;
  request.expiration = 30;
  auto done = std::make_shared<std::promise<bool>>();
  auto echoed = std::make_shared<std::atomic<bool>>(false);
  auto result = done->get_future();
  auto sent = outbox.request(
      std::move(request), [echoed, payload](gateway::Outcome o) { *echoed = !o.error && o.data == payload; },
      [done, echoed] { done->set_value(echoed->load()); });
  if (!sent.ok() || result.wait_for(10s) != std::future_status::ready) return false;
  return result.get();
}

// The bare floor: workers pop "<reply list>|<payload>" and push the payload back.
struct BareWorkers {
  BareWorkers(int n, const std::string& url) {
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([this, url] {
        auto conn = connect(url);
        while (!stop) {
          auto in = brpop(*conn, "bare.ping");
          if (!in) continue;
          auto bar = in->find('|');
          lpush(*conn, in->substr(0, bar), in->substr(bar + 1));
        }
      });
    }
  }
  ~BareWorkers() {
    stop = true;
    for (auto& t : threads) t.join();
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
};

void print_row(const char* name, int c, const Result& r) {
  if (r.calls == 0 && r.failures == 0) return;  // not run (--paths)
  std::printf("%-6s %5d %10.0f %10.0f %12.0f %10llu %8llu\n", name, c, r.p50_us, r.p99_us, r.calls_per_s,
              static_cast<unsigned long long>(r.calls), static_cast<unsigned long long>(r.failures));
}

// CPU us per call of each part; "bench" is this process without the two peers (the Redis
// callers and workers, or gw's callers).
void print_cpu(const char* name, int c, const Result& r) {
  if (r.calls == 0) return;
  const Snapshot& u = r.used;
  double per = 1e6 / static_cast<double>(r.calls);
  double bench = u.process - u.peer_a - u.peer_b;
  std::printf("%-6s %5d %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %10.1f %10.1f\n", name, c, u.redis * per, u.relay * per,
              u.peer_a * per, u.peer_b * per, bench * per, (u.redis + u.relay + u.process) * per,
              u.switches_a / static_cast<double>(r.calls), u.switches_b / static_cast<double>(r.calls));
}

// Redis commands per call (INFO commandstats over the measured seconds), with each command's
// time inside Redis (usec per execution). Commands a script runs are counted on their own
// lines as well, and their time is part of the script's. Commands seen less than once per
// 100 calls (the bench's own INFO, the relay's idle mailbox polls) are left out.
void print_commands(const char* name, int c, const Result& r) {
  if (r.calls == 0) return;
  double per = 1.0 / static_cast<double>(r.calls);
  auto counted = [&](const std::pair<uint64_t, uint64_t>& v) { return v.first * per >= 0.01; };
  double total = 0;
  for (const auto& [cmd, v] : r.used.commands) {
    if (counted(v)) total += v.first * per;
  }
  std::printf("%s, %d callers: %.2f commands per call\n", name, c, total);
  for (const auto& [cmd, v] : r.used.commands) {
    if (!counted(v)) continue;
    std::printf("  %-12s %6.2f per call %7.2f us each\n", cmd.c_str(), v.first * per,
                static_cast<double>(v.second) / static_cast<double>(v.first));
  }
}

int run(const Config& cfg) {
  auto redis = test::RedisServer::start();
  if (!redis.ok()) die(std::string(redis.status().message()));
  std::vector<test::NetTwin> twins = {test::make_net_twin(1), test::make_net_twin(2)};
  std::string url = (*redis)->url();
  // Before anything else can die(): it then stops this redis-server too.
  Probe probe(url);
  // The relay's mailbox in db 0 of the bench's own Redis, never the default localhost:6379.
  auto net = test::Network::start(twins, url + "/0");
  if (!net.ok()) die(std::string(net.status().message()));
  started_relay = (*net)->relay->process().pid();
  probe.relay = started_relay;
  auto before_peers = tasks();
  auto caller_peer = test::InprocPeer::start(twins[0], **net, url + "/1");
  if (!caller_peer.ok()) die(std::string(caller_peer.status().message()));
  probe.peer_a = minus(tasks(), before_peers);
  auto worker_peer = test::InprocPeer::start(twins[1], **net, url + "/2");
  if (!worker_peer.ok()) die(std::string(worker_peer.status().message()));
  probe.peer_b = minus(minus(tasks(), before_peers), probe.peer_a);

  std::string payload(cfg.payload, 'x');
  std::string payload_b64 = core::base64_std(core::as_bytes(payload));

  std::printf("bench_compat: payload %zu B, %d s measured after %d s warm-up, %d Redis workers\n", cfg.payload,
              cfg.duration, cfg.warmup, cfg.workers);
  std::printf("%-6s %5s %10s %10s %12s %10s %8s\n", "path", "conc", "p50_us", "p99_us", "calls/s", "calls", "failed");
  struct Pair {
    int c;
    Result rmb, bare, gw;
  };
  std::vector<Pair> rows;
  (*worker_peer)->engine().add_service("bench.floor", std::make_shared<EchoService>((*worker_peer)->engine()));
  for (int c : cfg.concurrency) {
    Pair row{c, {}, {}, {}};
    if (cfg.paths.count("bare") > 0) {
      BareWorkers w(cfg.workers, url);
      row.bare = measure(cfg, probe, c, url, [&](int i, core::RedisConn& conn) {
        std::string ret = absl::StrCat("bare.ret.", i);
        lpush(conn, "bare.ping", absl::StrCat(ret, "|", payload));
        auto got = brpop(conn, ret, "10");
        return got && *got == payload;
      });
    }
    print_row("bare", c, row.bare);
    if (cfg.paths.count("gw") > 0) {
      row.gw = measure(cfg, probe, c, url,
                       [&](int, core::RedisConn&) { return gateway_call((*caller_peer)->engine(), payload); });
    }
    print_row("gw", c, row.gw);
    if (cfg.paths.count("rmb") > 0) {
      Workers w(cfg.workers, url + "/2");
      uint64_t seq = 0;
      row.rmb = measure(cfg, probe, c, url + "/1", [&, seq](int i, core::RedisConn& conn) mutable {
        RequestJson a;
        a.ref = absl::StrCat(i, "-", seq++);
        a.cmd = "bench.echo";
        a.exp = 30;
        a.dat = payload_b64;
        a.dst = {2};
        a.ret = absl::StrCat("bench.ret.", i);
        lpush(conn, "msgbus.system.local", to_json(a));
        // Answers of calls timed out during a previous loop would be read here as this
        // call's; the ref check counts them as failures instead.
        auto got = brpop(conn, a.ret, "10");
        if (!got) return false;
        auto d = parse_incoming_response(*got);
        return d.ok() && !d->err && d->ref == a.ref && d->dat == payload_b64;
      });
    }
    print_row("rmb", c, row.rmb);
    rows.push_back(row);
  }
  // Issue 13's targets: 1 caller p50 <= 3x bare, 64 callers calls/s >= 0.5x bare.
  std::printf("\nratios (issue 13: p50 rmb/bare <= 3x at one caller; calls/s rmb/bare >= 0.5x at 64)\n");
  std::printf("%5s %12s %12s %14s %14s %14s %12s\n", "conc", "p50 rmb/bare", "p99 rmb/bare", "calls/s rmb/bare",
              "p50 gw/bare", "calls/s gw/bare", "p50 rmb-gw");
  for (const auto& r : rows) {
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    std::printf("%5d %11.2fx %11.2fx %15.2fx %13.2fx %14.2fx %9.0f us\n", r.c, ratio(r.rmb.p50_us, r.bare.p50_us),
                ratio(r.rmb.p99_us, r.bare.p99_us), ratio(r.rmb.calls_per_s, r.bare.calls_per_s),
                ratio(r.gw.p50_us, r.bare.p50_us), ratio(r.gw.calls_per_s, r.bare.calls_per_s),
                r.rmb.p50_us - r.gw.p50_us);
  }
  std::printf(
      "\nCPU us per call (bench: this process less the peers: the Redis callers and workers), and the peers' "
      "context switches per call\n");
  std::printf("%-6s %5s %8s %8s %8s %8s %8s %8s %10s %10s\n", "path", "conc", "redis", "relay", "peer A", "peer B",
              "bench", "total", "switches A", "switches B");
  for (const auto& r : rows) {
    print_cpu("bare", r.c, r.bare);
    print_cpu("gw", r.c, r.gw);
    print_cpu("rmb", r.c, r.rmb);
  }
  std::printf("\n");
  for (const auto& r : rows) {
    print_commands("bare", r.c, r.bare);
    print_commands("rmb", r.c, r.rmb);
  }
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) > 0) std::printf("\nload average %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  caller_peer->reset();
  worker_peer->reset();
  (*net)->relay->terminate();
  return 0;
}

}  // namespace
}  // namespace rmb::compat::bench

constexpr char kUsage[] =
    "usage: bench_compat [--duration S] [--warmup S] [--concurrency 1,64] [--payload B] [--workers N] "
    "[--paths bare,gw,rmb]\n";

int main(int argc, char** argv) {
  // The relay is started from $RMB_BUILD_DIR (tests/support, which ctest sets); run by hand,
  // from this binary's own build tree, as the other benches do.
  setenv("RMB_BUILD_DIR", rmb::bench::sibling_binary(".", ".").c_str(), /*overwrite=*/0);
  rmb::compat::bench::Config cfg;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    int n = 0;
    if (flag == "--duration" && absl::SimpleAtoi(value, &n) && n > 0) {
      cfg.duration = n;
    } else if (flag == "--warmup" && absl::SimpleAtoi(value, &n) && n >= 0) {
      cfg.warmup = n;
    } else if (flag == "--payload" && absl::SimpleAtoi(value, &n) && n >= 0) {
      cfg.payload = static_cast<size_t>(n);
    } else if (flag == "--workers" && absl::SimpleAtoi(value, &n) && n > 0) {
      cfg.workers = n;
    } else if (flag == "--paths") {
      cfg.paths.clear();
      for (auto part : absl::StrSplit(value, ',')) cfg.paths.insert(std::string(part));
      if (std::any_of(cfg.paths.begin(), cfg.paths.end(),
                      [](const std::string& p) { return p != "bare" && p != "gw" && p != "rmb"; })) {
        std::fprintf(stderr, "bad --paths %s (bare,gw,rmb)\n", value.c_str());
        return 2;
      }
    } else if (flag == "--concurrency") {
      cfg.concurrency.clear();
      for (auto part : absl::StrSplit(value, ',')) {
        if (!absl::SimpleAtoi(part, &n) || n <= 0) {
          std::fprintf(stderr, "bad --concurrency %s\n", value.c_str());
          return 2;
        }
        cfg.concurrency.push_back(n);
      }
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  return rmb::compat::bench::run(cfg);
}
