#include <boost/program_options.hpp>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "relay/config.h"

namespace rmb::relay {

namespace po = boost::program_options;

std::variant<Config, HelpText> parse_flags_or_help(int argc, const char* const* argv, std::string* error) {
  Config c;
  std::vector<std::string> domains;
  std::vector<uint64_t> limit;
  uint64_t max_age = 0, idle = 0, bp = 0, grace_ms = 0;
  unsigned workers = 0, users_per_worker = 0;
  po::options_description desc(
      "rmb-relay: routes RMB envelopes between twins (PROTOCOL.md §4-§7)\n"
      "Usage: rmb-relay [options]\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help and exit")
    ("listen,l", po::value(&c.listen)->default_value(c.listen), "address:port to listen on (HTTP + WebSocket)")
    ("tls-cert", po::value(&c.tls_cert)->default_value(""), "PEM certificate chain; with --tls-key serves TLS")
    ("tls-key", po::value(&c.tls_key)->default_value(""), "PEM private key")
    ("directory", po::value(&c.directory)->default_value(c.directory), "twin directory JSON file")
    ("substrate", po::value(&c.substrate)->value_name("URL")->composing(),
     "tfchain node (ws:// or wss://) to read twins from instead of --directory; repeat for "
     "fallbacks, tried in turn")
    ("domain,m", po::value(&domains)->multitoken()->composing(),
        "this relay's domain(s); repeatable, several values allowed (default: none)")
    ("redis,r", po::value(&c.redis)->default_value(""),
        "Redis URL for the mailbox and the federation queue (redis://[[user]:pass@]host[:port][/db]); "
        "default: both in memory")
    ("threads", po::value(&c.threads)->default_value(0), "I/O threads (0 = number of cores)")
    ("max-sessions", po::value(&c.max_sessions)->default_value(c.max_sessions), "max concurrent sessions")
    ("workers,w", po::value(&workers)->default_value(0),
        "rmb-rs compatibility: with --user-per-worker sets --max-sessions = w * u")
    ("user-per-worker,u", po::value(&users_per_worker)->default_value(0), "rmb-rs compatibility, see --workers")
    ("max-session-age", po::value(&max_age)->default_value(0),
        "seconds before a session is closed to make it reconnect (0 = token exp - iat + 60)")
    ("idle-timeout", po::value(&idle)->default_value(120), "close sessions silent for this many seconds")
    ("mailbox-size", po::value(&c.mailbox_size)->default_value(c.mailbox_size),
        "in-memory mailbox: messages kept per session (oldest dropped beyond)")
    ("mailbox-ttl", po::value(&c.mailbox_ttl)->default_value(c.mailbox_ttl),
        "seconds mail waits at most, whatever the envelope's expiration")
    ("limit", po::value(&limit)->multitoken(), "rate limit per twin per 60 s: <count> <size> (default: off)")
    ("max-frame-size", po::value(&c.max_frame_size)->default_value(c.max_frame_size),
        "max WebSocket message and POST body size in bytes")
    ("send-queue", po::value(&c.send_queue)->default_value(c.send_queue), "per-connection outbound queue (messages)")
    ("back-pressure-timeout", po::value(&bp)->default_value(60),
        "seconds a session may stay in back-pressure before eviction")
    ("shutdown-grace", po::value(&grace_ms)->default_value(3000),
        "milliseconds to flush queued writes on shutdown")
    ("no-federation", "do not forward to other relays (foreign destinations get an error envelope)")
    ("federation-scheme", po::value(&c.federation_scheme)->default_value(c.federation_scheme),
        "scheme of remote relay URLs (http only for tests)")
    ("federation-queue", po::value(&c.federation_queue)->default_value(c.federation_queue),
        "envelopes queued for other relays at most (beyond: error envelope to the sender)")
    ("federation-queue-bytes", po::value(&c.federation_queue_bytes)->default_value(c.federation_queue_bytes),
        "bytes of envelopes queued for other relays in this process at most (beyond: error envelope)")
    ("federation-stream-max", po::value(&c.federation_stream_max)->default_value(c.federation_stream_max),
        "with --redis: entries in relay.federation.stream (all relay processes) beyond which new "
        "envelopes for other relays are refused")
    ("federation-ca-file", po::value(&c.federation_ca_file)->default_value(""),
        "CA bundle to verify remote relays (default: system store)")
    ("ip-connections-per-second", po::value(&c.ip_connections_per_second)->default_value(c.ip_connections_per_second),
        "new connections accepted per client IP per second, bursts of 10 s worth (beyond: closed "
        "with HTTP 429); 0 = off")
    ("ip-pings-per-second", po::value(&c.ip_pings_per_second)->default_value(c.ip_pings_per_second),
        "WebSocket pings answered per client IP per second, bursts of 10 s worth (beyond: the "
        "session is closed with 1008); 0 = off")
    ("ip-posts-per-second", po::value(&c.ip_posts_per_second)->default_value(c.ip_posts_per_second),
        "federation POSTs accepted per client IP per second, bursts of 10 s worth (beyond: 503, "
        "which a sending relay retries); 0 = off")
    ("max-owed-pongs", po::value(&c.max_owed_pongs)->default_value(c.max_owed_pongs),
        "pongs queued for a client that does not read them, at most (beyond: closed with 1008)")
    ("max-mailboxes", po::value(&c.max_mailboxes)->default_value(c.max_mailboxes),
        "sessions (twin, sid) with stored mail (in memory: or connected; with --redis: keys in the "
        "Redis database) at most (beyond: mail for a new one is refused)")
    ("mailbox-bytes", po::value(&c.mailbox_bytes)->default_value(c.mailbox_bytes),
        "in-memory mailbox: bytes of stored mail, all sessions together (beyond: store refused)")
    ("redis-store-queue-bytes", po::value(&c.redis_store_queue_bytes)->default_value(c.redis_store_queue_bytes),
        "with --redis: bytes of mail waiting to be written to Redis (beyond: store refused)")
    ("ranker-period,p", po::value(&c.ranker_period)->default_value(c.ranker_period),
        "seconds of failure history used to order remote relays")
    ("debug,d", po::bool_switch(&c.debug), "debug logging");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    *error = e.what();
    return HelpText{};
  }
  if (vm.count("help")) {
    std::ostringstream out;
    out << desc;
    return HelpText{out.str()};
  }
  auto fail = [&](std::string message) -> std::variant<Config, HelpText> {
    *error = std::move(message);
    return HelpText{};
  };
  c.domains.insert(domains.begin(), domains.end());
  if (vm.count("limit")) {
    if (limit.size() != 2) return fail("--limit takes two values: <count> <size>");
    c.limit = RateLimit{limit[0], limit[1]};
  }
  if ((workers == 0) != (users_per_worker == 0)) return fail("--workers and --user-per-worker go together");
  if (workers > 0) c.max_sessions = static_cast<size_t>(workers) * users_per_worker;
  if (c.max_sessions == 0) return fail("--max-sessions must be > 0");
  if (c.max_frame_size == 0) return fail("--max-frame-size must be > 0");
  if (c.send_queue == 0) return fail("--send-queue must be > 0");
  if (c.tls_cert.empty() != c.tls_key.empty()) return fail("--tls-cert and --tls-key go together");
  if (idle == 0) return fail("--idle-timeout must be > 0");
  c.max_session_age = std::chrono::seconds(max_age);
  c.idle_timeout = std::chrono::seconds(idle);
  c.back_pressure_timeout = std::chrono::seconds(bp);
  c.shutdown_grace = std::chrono::milliseconds(grace_ms);
  c.federation = vm.count("no-federation") == 0;
  if (c.threads == 0) c.threads = std::max(1u, std::thread::hardware_concurrency());
  return c;
}

}  // namespace rmb::relay
