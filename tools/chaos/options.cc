#include "tools/chaos/options.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace rmb::tools::chaos {

namespace fs = std::filesystem;

Options parse(const Invocation& inv, bool* help) {
  po::options_description options;
  options.add_options()("requests,n", po::value<uint64_t>()->default_value(10000)->value_name("N"),
                        "requests to send (1..10,000,000)")(
      "concurrency,c", po::value<uint32_t>()->default_value(16)->value_name("C"),
      "requests in flight at once (1..1024)")("relay-kills,k", po::value<uint32_t>()->default_value(3)->value_name("K"),
                                              "times a relay is SIGKILLed and restarted")(
      "seed", po::value<uint64_t>()->value_name("S"), "seed of the fault plan (default: random, printed)")(
      "expiration", po::value<uint32_t>()->default_value(60)->value_name("SECS"),
      "each request's expiration; no answer by then is a loss (2..1800)")(
      "max-downtime", po::value<uint32_t>()->default_value(1000)->value_name("MS"),
      "a killed process stays down a random 0..MS before its restart")(
      "no-redis-restart", "do not restart redis-server")("no-peer-kills",
                                                         "do not kill the caller-side and service-side rmb-peers")(
      "payload-size", po::value<size_t>()->default_value(64)->value_name("BYTES"), "request payload size (>= 48)")(
      "max-attempts", po::value<uint32_t>()->default_value(3)->value_name("N"),
      "sends of one gRPC request by its app when its own rmb-peer dies under it (docs/chaos.md)")(
      "grace", po::value<uint32_t>()->default_value(5)->value_name("SECS"),
      "a Redis caller waits for an outcome until expiration + SECS")(
      "settle", po::value<double>()->default_value(3)->value_name("SECS"),
      "after the last answer, watch this long for late duplicates")(
      "progress", po::value<double>()->default_value(5)->value_name("SECS"), "a progress line on stderr every SECS")(
      "dir", po::value<std::string>()->value_name("DIR"),
      "state directory: twins.json, redis/, logs/ (default: a new one under $TMPDIR, removed after a passing run)")(
      "keep", "keep the state directory and its logs after a passing run")(
      "json", "print the result as JSON on stdout instead of the table")(
      "bin-dir", po::value<std::string>()->value_name("D"),
      "where rmb-relay, rmb-peer and redis-server are (default: beside rmb, its build tree, then PATH)")(
      "first-port", po::value<uint16_t>()->value_name("P"),
      "ports are taken from P upwards (default: 20000 + a number from the pid)")(
      "start-timeout", po::value<uint32_t>()->default_value(30)->value_name("SECS"),
      "how long a process may take to be ready after a (re)start")(
      "relay-arg", po::value<std::vector<std::string>>()->composing()->value_name("ARG"),
      "extra argument for every rmb-relay (repeatable, e.g. --relay-arg=--threads=1)")(
      "peer-arg", po::value<std::vector<std::string>>()->composing()->value_name("ARG"),
      "extra argument for every rmb-peer (repeatable, e.g. --peer-arg=--resend-after=2)");
  auto vm =
      parse_options(inv,
                    "Reliability soak: builds two federating relays on Redis, four twins with rmb-peers, echo services "
                    "(gRPC and Redis) and callers (gRPC and Redis front doors) on 127.0.0.1, sends N requests over "
                    "local and federated routes while killing relays K times, restarting Redis once and killing a "
                    "caller-side and a service-side rmb-peer once each, then prints sent / answered / lost / "
                    "duplicated / wrong, latency and the recovery time of each fault. Exit 0 only when every request "
                    "was answered exactly once with its own payload (docs/chaos.md).",
                    "[-n N] [-c C] [-k K] [--seed S] [--expiration SECS] [--dir DIR] [--keep] [--json]", options);
  if (!vm) {
    *help = true;
    return {};
  }
  Options o;
  o.requests = (*vm)["requests"].as<uint64_t>();
  o.concurrency = (*vm)["concurrency"].as<uint32_t>();
  o.relay_kills = (*vm)["relay-kills"].as<uint32_t>();
  o.seed = vm->count("seed") ? (*vm)["seed"].as<uint64_t>() : std::random_device{}() % 1000000;
  o.expiration_s = (*vm)["expiration"].as<uint32_t>();
  o.max_downtime = std::chrono::milliseconds((*vm)["max-downtime"].as<uint32_t>());
  o.redis_restart = vm->count("no-redis-restart") == 0;
  o.peer_kills = vm->count("no-peer-kills") == 0;
  o.payload_bytes = (*vm)["payload-size"].as<size_t>();
  o.max_attempts = (*vm)["max-attempts"].as<uint32_t>();
  o.grace_s = (*vm)["grace"].as<uint32_t>();
  o.settle_s = (*vm)["settle"].as<double>();
  o.progress_s = (*vm)["progress"].as<double>();
  o.keep = vm->count("keep") > 0;
  o.json = vm->count("json") > 0;
  if (o.requests < 1 || o.requests > 10000000) throw usage_error(inv, "--requests must be 1..10,000,000");
  if (o.concurrency < 1 || o.concurrency > 1024) throw usage_error(inv, "--concurrency must be 1..1024");
  if (o.expiration_s < 2 || o.expiration_s > 1800) throw usage_error(inv, "--expiration must be 2..1800 seconds");
  if (o.payload_bytes < 48 || o.payload_bytes > (1 << 20)) throw usage_error(inv, "--payload-size must be 48..1048576");
  if (o.max_attempts < 1) throw usage_error(inv, "--max-attempts must be at least 1");
  if (!(o.settle_s >= 0) || !(o.progress_s > 0)) throw usage_error(inv, "--settle must be >= 0 and --progress > 0");

  const std::string bin_dir = vm->count("bin-dir") ? (*vm)["bin-dir"].as<std::string>() : "";
  auto require = [&](const std::string& name, const std::string& hint) {
    std::string path = devnet::find_program(name, bin_dir);
    if (path.empty()) throw failure("cannot find " + name, hint);
    return path;
  };
  const std::string build_hint =
      "build it ('cmake --build build/release --target rmb-relay rmb-peer') or pass --bin-dir";
  o.network.relay_bin = require("rmb-relay", build_hint);
  o.network.peer_bin = require("rmb-peer", build_hint);
  o.network.redis_bin = require("redis-server", "install it: apt-get install redis-server");
  if (vm->count("relay-arg")) o.network.relay_args = (*vm)["relay-arg"].as<std::vector<std::string>>();
  if (vm->count("peer-arg")) o.network.peer_args = (*vm)["peer-arg"].as<std::vector<std::string>>();
  o.network.first_port = vm->count("first-port") ? (*vm)["first-port"].as<uint16_t>()
                                                 : static_cast<uint16_t>(20000 + (::getpid() % 1200) * 10);
  o.network.start_timeout = std::chrono::seconds((*vm)["start-timeout"].as<uint32_t>());

  if (vm->count("dir")) {
    o.dir = (*vm)["dir"].as<std::string>();
    o.dir_given = true;
    std::error_code ec;
    fs::create_directories(o.dir, ec);
    if (ec) throw failure("cannot create " + o.dir + ": " + ec.message());
    // A previous run's Redis data would replay its requests into this one.
    fs::remove_all(fs::path(o.dir) / "redis", ec);
  } else {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rmb-chaos-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw failure("cannot create a directory like " + pattern);
    o.dir = pattern;
  }
  o.network.dir = o.dir;
  return o;
}

}  // namespace rmb::tools::chaos
