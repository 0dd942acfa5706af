#include <boost/program_options.hpp>
#include <optional>
#include <sstream>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/net/url.h"
#include "core/util/debug_flags.h"
#include "gateway/api/grpc_server.h"
#include "gateway/config/peer_config.h"

namespace rmb::gateway::config {

namespace po = boost::program_options;

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

}  // namespace

ParsedFlags parse_peer_flags(int argc, const char* const* argv, const GetEnv& getenv) {
  ParsedFlags out;
  PeerConfig& c = out.config;
  std::string key_type = "sr25519";
  std::string mnemonics, seed;
  const std::string default_listen = c.grpc_listen;
  po::options_description desc(
      "rmb-peer: this machine's gateway to the Reliable Message Bus. Applications call and serve\n"
      "other twins through its gRPC API (proto/rmb/api/v1/gateway.proto) or, with --redis, the\n"
      "rmb-peer Redis queues.\n"
      "Usage: rmb-peer -m SECRET [--relay URL] [--directory FILE | --substrate URL] [options]\n"
      "Without --relay and --substrate/--directory it uses rmb-rs's defaults, the grid's main\n"
      "network (" +
      std::string(kDefaultRelay) + ", " + std::string(kDefaultSubstrate) +
      ").\n"
      "Every option also reads an environment variable (flags win): RMB_KEY_TYPE, RMB_MNEMONIC,\n"
      "RMB_RELAY and RMB_SUBSTRATE (comma-separated), RMB_DIRECTORY, RMB_GRPC_LISTEN,\n"
      "RMB_METRICS_LISTEN, RMB_REDIS (empty: the default).\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help and exit")
    ("version,V", "print the version and exit")
    ("key-type,k", po::value(&key_type)->default_value(key_type), "signing key type: ed25519 or sr25519")
    ("mnemonic,m", po::value(&c.mnemonic)->value_name("SECRET"),
        "the twin's secret: BIP-39 mnemonic, 0x + 64 hex seed, or a secret URI such as //Alice")
    ("mnemonics", po::value(&mnemonics)->value_name("SECRET"), "[deprecated, rmb-rs] same as --mnemonic")
    ("seed", po::value(&seed)->value_name("SECRET"), "[deprecated, rmb-rs] same as --mnemonic")
    ("uploads,u", po::value(&c.uploads)->value_name("PATH"),
        "[rmb-rs] accepted for compatibility; rmb-cpp has no upload endpoint and says so at start")
    ("relay", po::value(&c.relays)->value_name("URL")->composing(),
        "relay to connect to, ws:// or wss:// (repeatable, at most 4; default: wss://relay.grid.tf:443)")
    ("directory", po::value(&c.directory)->value_name("FILE"), "twin directory JSON file (twins.json)")
    ("substrate,s", po::value(&c.substrate)->value_name("URL")->composing(),
        "tfchain node, ws:// or wss:// (repeatable); instead of --directory (default without either: "
        "wss://tfchain.grid.tf:443)")
    ("grpc-listen", po::value(&c.grpc_listen)->default_value(c.grpc_listen)->value_name("ADDR"),
        "gRPC API address: host:port (port 0 picks one) or unix:/path")
    ("metrics-listen", po::value(&c.metrics_listen)->value_name("ADDR"),
        "serve Prometheus metrics on host:port (default: off)")
    ("redis,r", po::value(&c.redis)->value_name("URL"),
        "serve rmb-rs's Redis queues of this Redis (redis://[[user]:pass@]host:port[/db]); default "
        "redis://localhost:6379 as rmb-rs: when nothing answers there the peer says so once, serves "
        "gRPC, and keeps retrying")
    ("no-redis", po::bool_switch(&c.no_redis), "do not serve the Redis queues (the gRPC API needs no Redis)")
    ("redis-instance", po::value(&c.redis_instance)->value_name("NAME"),
        "suffix of this peer's own Redis state keys (requests in flight, deliveries seen); set it when "
        "several rmb-peers share one Redis database")
    ("redis-max-orphan-replies",
        po::value(&c.redis_max_orphan_replies)->default_value(c.redis_max_orphan_replies)->value_name("N"),
        "replies for no request of this run (sent before a restart) waiting for their msgbus.backlog "
        "lookup; beyond it they are dropped with a log line")
    ("redis-pop-batch", po::value(&c.redis_pop_batch)->default_value(c.redis_pop_batch)->value_name("N"),
        "messages one Redis round trip may take from a queue while more wait (made safe in one "
        "transaction); 1 = one at a time, at most 4096")
    ("no-update", po::bool_switch(&c.no_update), "with --substrate: do not publish relays and e2e key on chain")
    ("ca-file", po::value(&c.ca_file)->value_name("PEM"), "extra trusted CAs for wss:// relays and nodes")
    ("threads", po::value(&c.threads)->default_value(0), "I/O threads (0 = number of cores, at most 4)")
    ("resend-after", po::value(&c.resend_after)->default_value(c.resend_after)->value_name("SECONDS"),
        "send an unanswered request again (same uid) after this long, then at doubling intervals; "
        "0 = only when a relay link drops (it always is then)")
    ("resend-max", po::value(&c.resend_max)->default_value(c.resend_max)->value_name("SECONDS"),
        "longest interval between two resends of a request")
    ("reply-cache", po::value(&c.reply_cache)->default_value(c.reply_cache)->value_name("N"),
        "replies kept (each for its request's lifetime) to answer a repeated request without asking "
        "the service again; 0 = none")
    ("reply-cache-mb", po::value(&c.reply_cache_mb)->default_value(c.reply_cache_mb)->value_name("MB"),
        "bytes of the reply cache, in MiB (the oldest reply is forgotten first)")
    ("max-pending", po::value(&c.max_pending)->default_value(c.max_pending)->value_name("N"),
        "outgoing requests waiting for their outcomes; beyond it new requests are refused "
        "(gRPC RESOURCE_EXHAUSTED, Redis: error JSON on ret)")
    ("max-incoming", po::value(&c.max_incoming)->default_value(c.max_incoming)->value_name("N"),
        "incoming requests handed to services and not answered yet; beyond it callers get "
        "RMB error 0 'gateway is busy'")
    ("service-grace", po::value(&c.service_grace_ms)->default_value(c.service_grace_ms)->value_name("MS"),
        "after a start, a request for a command no service has registered yet waits this long for "
        "one (services reconnect after a restart) before it goes to Redis or is refused; 0 = off")
    ("debug,d", "debug logging (rmb-rs's -dd, trace, is accepted and means the same)");
  // clang-format on
  const core::DebugFlags args = core::take_debug_flags(argc, argv);
  c.debug = args.count > 0;
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(static_cast<int>(args.argv.size()), args.argv.data(), desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    out.text = e.what();
    return out;
  }
  if (vm.count("help")) {
    std::ostringstream help;
    help << desc;
    out.kind = ParsedFlags::Kind::kHelp;
    out.text = help.str();
    return out;
  }
  if (vm.count("version")) {
    out.kind = ParsedFlags::Kind::kVersion;
    return out;
  }
  auto fail = [&](std::string message) {
    out.kind = ParsedFlags::Kind::kError;
    out.text = std::move(message);
    return out;
  };
  auto given = [&](const char* name) { return vm.count(name) && !vm[name].defaulted(); };
  auto env = [&](const char* name) -> std::optional<std::string> {
    const char* value = getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };

  if (!given("key-type")) key_type = env("RMB_KEY_TYPE").value_or(key_type);
  if (given("mnemonic") + given("mnemonics") + given("seed") > 1) {
    return fail("give the secret once: -m/--mnemonic (or rmb-rs's deprecated --mnemonics or --seed)");
  }
  if (given("mnemonics")) c.mnemonic = mnemonics;
  if (given("seed")) c.mnemonic = seed;
  if (!given("mnemonic") && !given("mnemonics") && !given("seed")) c.mnemonic = env("RMB_MNEMONIC").value_or("");
  if (!given("relay")) c.relays = split_list(env("RMB_RELAY").value_or(""));
  if (!given("directory")) c.directory = env("RMB_DIRECTORY").value_or("");
  if (!given("substrate")) c.substrate = split_list(env("RMB_SUBSTRATE").value_or(""));
  if (!given("grpc-listen")) c.grpc_listen = env("RMB_GRPC_LISTEN").value_or(default_listen);
  if (!given("metrics-listen")) c.metrics_listen = env("RMB_METRICS_LISTEN").value_or("");
  if (c.no_redis && given("redis")) return fail("--redis and --no-redis contradict each other: give one");
  if (c.no_redis) {
    c.redis.clear();
  } else if (!given("redis")) {
    c.redis = env("RMB_REDIS").value_or("");
    if (c.redis.empty()) {
      c.redis = kDefaultRedis;
      c.redis_defaulted = true;
    }
  }

  auto type = core::parse_key_type(key_type);
  if (!type.ok()) return fail("--key-type must be ed25519 or sr25519, not '" + key_type + "'");
  c.key_type = *type;
  if (c.mnemonic.empty()) return fail("no secret: pass -m/--mnemonic or set RMB_MNEMONIC");
  if (c.relays.empty()) {
    c.relays = {kDefaultRelay};
    c.relay_defaulted = true;
  }
  if (c.relays.size() > kMaxRelays)
    return fail("at most 4 relays (--relay given " + std::to_string(c.relays.size()) + " times)");
  for (const auto& url : c.relays) {
    if (auto parsed = core::parse_ws_url(url, "--relay URL"); !parsed.ok())
      return fail(std::string(parsed.status().message()));
  }
  if (!c.directory.empty() && !c.substrate.empty()) {
    return fail("give exactly one twin directory: --directory FILE or --substrate URL");
  }
  if (c.directory.empty() && c.substrate.empty()) {
    c.substrate = {kDefaultSubstrate};
    c.substrate_defaulted = true;
  }
  for (const auto& url : c.substrate) {
    if (auto parsed = core::parse_ws_url(url, "--substrate URL"); !parsed.ok()) {
      return fail(std::string(parsed.status().message()));
    }
  }
  if (auto s = api::validate_listen_address(c.grpc_listen); !s.ok())
    return fail("--grpc-listen: " + std::string(s.message()));
  if (!c.metrics_listen.empty()) {
    if (c.metrics_listen.rfind("unix:", 0) == 0) return fail("--metrics-listen takes host:port");
    if (auto s = api::validate_listen_address(c.metrics_listen); !s.ok()) {
      return fail("--metrics-listen: " + std::string(s.message()));
    }
  }
  if (c.threads > 64) return fail("--threads must be at most 64");
  if (c.resend_after > 0 && c.resend_max < c.resend_after) return fail("--resend-max must be at least --resend-after");
  if (c.max_pending == 0) return fail("--max-pending must be > 0");
  if (c.max_incoming == 0) return fail("--max-incoming must be > 0");
  if (c.redis_pop_batch == 0 || c.redis_pop_batch > 4096) return fail("--redis-pop-batch must be 1..4096");
  if (c.reply_cache_mb > (size_t{1} << 20)) return fail("--reply-cache-mb must be at most 1048576 (1 TiB)");
  out.kind = ParsedFlags::Kind::kRun;
  return out;
}

}  // namespace rmb::gateway::config
