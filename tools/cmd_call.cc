// `rmb call`: one request to one twin through rmb-peer's gRPC API, its reply on stdout;
// with --repeat N, N requests (over --concurrency C streams at once) and a latency summary.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "tools/latency_stats.h"
#include "tools/peer_client.h"
#include "tools/progress.h"

namespace rmb::tools {
namespace {

using Clock = std::chrono::steady_clock;

struct CallSpec {
  api::v1::CallRequest request;
  std::chrono::milliseconds timeout;
  CallContext context;
};

// One call; the reply, or the understood error. `ms` gets the round-trip time.
std::optional<RpcError> call_once(api::v1::Gateway::Stub& stub, const CallSpec& spec, api::v1::Reply* reply,
                                  double* ms) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + spec.timeout);
  const auto start = Clock::now();
  const grpc::Status status = stub.Call(&ctx, spec.request, reply);
  *ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (status.ok()) return std::nullopt;
  return describe(status, spec.context);
}

void print_reply(const api::v1::Reply& reply, double ms, bool json) {
  if (json) {
    nlohmann::ordered_json out = {
        {"uid", reply.uid()},
        {"source", format_address(reply.source())},
        {"data", data_json(reply.data())},
        {"schema", reply.has_schema() ? nlohmann::ordered_json(reply.schema()) : nlohmann::ordered_json(nullptr)},
        {"timestamp", reply.timestamp()},
        {"latency_ms", std::round(ms * 1000) / 1000}};
    print_out(out.dump() + "\n");
    return;
  }
  std::string data = reply.data();
  // Byte-exact when redirected; a terminal gets its line ended.
  if (isatty(STDOUT_FILENO) == 1 && (data.empty() || data.back() != '\n')) data += '\n';
  print_out(data);
}

int repeat_calls(api::v1::Gateway::Stub& stub, const CallSpec& spec, size_t total, size_t concurrency, bool json) {
  std::atomic<size_t> next{0}, done{0}, failed{0};
  std::mutex mutex;
  LatencyStats all;
  // Errors grouped by their one-line text, with one example each.
  std::map<std::string, std::pair<size_t, RpcError>> errors;
  Progress progress(total);
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (size_t w = 0; w < concurrency; ++w) {
    workers.emplace_back([&] {
      LatencyStats mine;
      while (next.fetch_add(1) < total) {
        api::v1::Reply reply;
        double ms = 0;
        auto error = call_once(stub, spec, &reply, &ms);
        if (error) {
          ++failed;
          std::lock_guard lock(mutex);
          auto [it, inserted] = errors.try_emplace(one_line(*error), 0, *error);
          ++it->second.first;
        } else {
          mine.add(ms);
        }
        progress.update(++done, failed.load());
      }
      std::lock_guard lock(mutex);
      all.merge(mine);
    });
  }
  for (auto& w : workers) w.join();
  progress.finish(done.load(), failed.load());
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const auto s = all.summary();
  const size_t ok = s.count;
  const double rate = secs > 0 ? static_cast<double>(total) / secs : 0;

  int exit_code = kExitOk;
  size_t worst = 0;
  for (const auto& [line, entry] : errors) {
    if (entry.first > worst) {
      worst = entry.first;
      exit_code = entry.second.exit_code;
    }
  }
  auto round3 = [](double x) { return std::round(x * 1000) / 1000; };
  if (json) {
    nlohmann::ordered_json out = {{"calls", total},
                                  {"ok", ok},
                                  {"errors", total - ok},
                                  {"seconds", round3(secs)},
                                  {"calls_per_second", std::round(rate)},
                                  {"concurrency", concurrency}};
    if (ok > 0) {
      out["latency_ms"] = {{"min", round3(s.min_ms)}, {"mean", round3(s.mean_ms)}, {"p50", round3(s.p50_ms)},
                           {"p90", round3(s.p90_ms)}, {"p99", round3(s.p99_ms)},   {"max", round3(s.max_ms)}};
    }
    nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
    for (const auto& [line, entry] : errors) {
      kinds.push_back({{"count", entry.first}, {"error", error_json(entry.second)}});
    }
    out["error_kinds"] = kinds;
    print_out(out.dump() + "\n");
  } else {
    char head[256];
    std::snprintf(
        head, sizeof head, "%zu calls to twin %s '%s': %zu ok, %zu errors in %.2f s (%.0f calls/s, %zu at once)\n",
        total, spec.context.destination.c_str(), spec.context.command.c_str(), ok, total - ok, secs, rate, concurrency);
    std::string out = head;
    if (ok > 0) {
      out += "latency  min " + format_ms(s.min_ms) + "  p50 " + format_ms(s.p50_ms) + "  p90 " + format_ms(s.p90_ms) +
             "  p99 " + format_ms(s.p99_ms) + "  max " + format_ms(s.max_ms) + "  mean " + format_ms(s.mean_ms) + "\n";
    }
    for (const auto& [line, entry] : errors) {
      out += "errors   " + std::to_string(entry.first) + " x " + line + " (" + entry.second.hint + ")\n";
    }
    print_out(out);
  }
  return exit_code;
}

int call(const Invocation& inv) {
  po::options_description options;
  add_peer_option(options);
  options.add_options()("dst", po::value<std::string>()->required()->value_name("TWIN[:SID]"),
                        "destination twin (and session)")(
      "cmd", po::value<std::string>()->required()->value_name("CMD"), "remote command, e.g. calc.add");
  add_data_options(options);
  options.add_options()("schema", po::value<std::string>()->value_name("S"),
                        "schema of the data, e.g. application/json")("tags", po::value<std::string>()->value_name("T"),
                                                                     "envelope tags");
  add_timeout_option(options, 30);
  options.add_options()("json", "print the reply (or error) as one JSON object")(
      "repeat", po::value<size_t>()->value_name("N"), "make N calls and print a latency summary")(
      "concurrency", po::value<size_t>()->default_value(1)->value_name("C"), "with --repeat: calls in flight at once");
  auto vm =
      parse_options(inv,
                    "Call a command on a twin through rmb-peer and print its reply data on stdout.\n"
                    "Exit codes: 0 ok, 1 RMB error (remote, relay or gateway), 2 usage, 3 rmb-peer "
                    "unreachable / no relay link / no answer in time.",
                    "--dst TWIN[:SID] --cmd CMD [--data TEXT | --data-file F | --data -] [--timeout SECS] [--json] "
                    "[--repeat N [--concurrency C]] [--peer ADDR]",
                    options);
  if (!vm) return kExitOk;
  const std::string peer = peer_address(*vm);
  CallSpec spec;
  *spec.request.mutable_destination() = parse_destination(inv, (*vm)["dst"].as<std::string>());
  spec.request.set_command((*vm)["cmd"].as<std::string>());
  if (spec.request.command().empty()) throw usage_error(inv, "--cmd must not be empty");
  spec.request.set_data(request_data(inv, *vm));
  if (vm->count("schema")) spec.request.set_schema((*vm)["schema"].as<std::string>());
  if (vm->count("tags")) spec.request.set_tags((*vm)["tags"].as<std::string>());
  spec.timeout = timeout_option(inv, *vm);
  spec.request.set_ttl_seconds(static_cast<uint32_t>((spec.timeout.count() + 999) / 1000));
  spec.context = {peer, spec.request.command(), format_address(spec.request.destination()),
                  (*vm)["timeout"].as<double>()};
  const bool json = vm->count("json") > 0;

  const size_t n = vm->count("repeat") ? (*vm)["repeat"].as<size_t>() : 0;
  const size_t c = (*vm)["concurrency"].as<size_t>();
  if (vm->count("repeat") && n == 0) throw usage_error(inv, "--repeat must be at least 1");
  if (c == 0 || c > 1000) throw usage_error(inv, "--concurrency must be 1..1000");
  auto stub = api::v1::Gateway::NewStub(connect_peer(peer));
  if (n > 0) return repeat_calls(*stub, spec, n, std::min(n, c), json);
  api::v1::Reply reply;
  double ms = 0;
  if (auto error = call_once(*stub, spec, &reply, &ms)) {
    if (json) print_out(nlohmann::ordered_json({{"error", error_json(*error)}}).dump() + "\n");
    throw to_cli_error(*error);
  }
  print_reply(reply, ms, json);
  return kExitOk;
}

const RegisterCommand kRegister({"call", "call a command on a twin (through rmb-peer)", call});

}  // namespace
}  // namespace rmb::tools
