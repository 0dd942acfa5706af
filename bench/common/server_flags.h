#pragma once
// The flags of the benches that run rmb next to nats-server on this machine (bench_relay,
// bench_gateway), declared once so that both read them the same way, with the same
// defaults and help text: the two server binaries, the measured window and the temp dir.
// Header only: both benches include it, and their CPU plans stay their own (bench_relay
// pins, bench_gateway does not).
#include <boost/program_options.hpp>
#include <string>

#include "bench/relay/cli_util.h"

namespace rmb::bench {

struct ServerFlags {
  std::string relay;  // rmb-relay binary
  std::string nats;   // nats-server binary
  double warmup_s = 1;
  double duration_s = 5;
  bool keep_temp = false;
};

// Adds --relay, --nats-server, --warmup, --duration and --keep-temp to `desc`; the values
// land in `flags` when parse_command_line (bench/relay/cli_util.h) notifies.
inline void add_server_flags(boost::program_options::options_description& desc, ServerFlags& flags) {
  namespace po = boost::program_options;
  // clang-format off
  desc.add_options()
    ("relay", po::value(&flags.relay)->default_value(sibling_binary("relay/rmb-relay", "rmb-relay")),
        "rmb-relay binary")
    ("nats-server", po::value(&flags.nats)->default_value(find_in_path("nats-server")), "nats-server binary")
    ("warmup", po::value(&flags.warmup_s)->default_value(flags.warmup_s),
        "warm-up seconds before each measured run")
    ("duration", po::value(&flags.duration_s)->default_value(flags.duration_s), "measured seconds per run")
    ("keep-temp", po::bool_switch(&flags.keep_temp), "keep the temp dir (process logs, twins.json)");
  // clang-format on
}

}  // namespace rmb::bench
