#include "bench/relay/options.h"

#include <boost/program_options.hpp>
#include <iostream>

#include "absl/strings/str_split.h"
#include "bench/relay/cli_util.h"

namespace rmb::bench {

namespace po = boost::program_options;

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  std::string pairs = "1,16", payloads = "64,1024", scenarios = "throughput,latency,memory";
  po::options_description desc("bench_relay: rmb-relay vs nats-server, throughput / latency / idle memory\nOptions");
  // clang-format off
  desc.add_options()("help,h", "print this help");
  add_server_flags(desc, o);
  desc.add_options()
    ("pairs", po::value(&pairs)->default_value(pairs), "sender->receiver pair counts, comma-separated")
    ("payloads", po::value(&payloads)->default_value(payloads), "payload sizes in bytes, comma-separated")
    ("window", po::value(&o.window)->default_value(o.window), "messages in flight per pair")
    ("latency-duration", po::value(&o.latency_s)->default_value(o.latency_s),
        "measured seconds per latency run (--duration: per throughput run)")
    ("idle-connections", po::value(&o.idle)->default_value(o.idle), "idle connections for the memory run")
    ("scenarios", po::value(&scenarios)->default_value(scenarios), "any of throughput,latency,memory")
    ("relay-threads", po::value(&o.relay_threads)->default_value(0),
        "rmb-relay --threads (0 = number of server CPUs)")
    ("no-pin", "do not pin the bench and the servers to separate CPUs");
  // clang-format on
  auto parsed = parse_command_line(argc, argv, desc, "bench_relay", exit_code);
  if (!parsed) return std::nullopt;
  const auto& vm = *parsed;
  auto p = parse_list(pairs);
  auto s = parse_list(payloads);
  if (!p || !s || o.window == 0 || o.duration_s <= 0 || o.latency_s <= 0 || o.warmup_s < 0) {
    std::cerr << "bench_relay: --pairs/--payloads need positive integers; --window, --duration, "
                 "--latency-duration must be > 0\n";
    *exit_code = 2;
    return std::nullopt;
  }
  o.pairs = *p;
  o.payloads = *s;
  for (absl::string_view name : absl::StrSplit(scenarios, ',', absl::SkipWhitespace())) {
    if (name != "throughput" && name != "latency" && name != "memory") {
      std::cerr << "bench_relay: unknown scenario '" << std::string(name) << "'\n";
      *exit_code = 2;
      return std::nullopt;
    }
    o.scenarios.emplace(name);
  }
  o.pin = vm.count("no-pin") == 0;
  return o;
}

}  // namespace rmb::bench
