#pragma once
// Everything rmb-relay can be told, with the defaults `--help` prints.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "relay/rate_limiter.h"

namespace rmb::core {
class TwinDirectory;
}

namespace rmb::relay {

struct Config {
  std::string listen = "[::]:8080";
  std::string tls_cert;  // PEM chain; TLS on when both cert and key are set
  std::string tls_key;
  std::string directory = "twins.json";
  // tfchain JSON-RPC URLs (-s/--substrate, repeatable): read twins from the chain instead of
  // the `directory` file (docs/tfchain.md). With neither flag: rmb-rs's default node.
  std::vector<std::string> substrate;
  bool substrate_defaulted = false;  // neither --directory nor --substrate given
  std::set<std::string> domains;     // --domain, repeatable
  std::string redis;                 // empty: in-memory mailbox (--mailbox memory)
  bool redis_defaulted = false;      // -r not given: rmb-rs's redis://localhost:6379
  // Twin cache in front of the chain (--substrate): rmb-rs keeps every twin (in Redis,
  // refreshed by chain events); a bounded, expiring cache sized for a busy relay instead.
  size_t twin_cache = 100000;
  std::chrono::seconds twin_cache_ttl{300};
  // A twin of this relay that is not connected gets mail stored here; at most once per
  // this long its chain record is read afresh, so a twin that moved to another relay is
  // followed without waiting for the cache entry to expire.
  std::chrono::seconds twin_recheck{30};
  uint64_t catchup_threshold = 600;  // rmb-rs flag, accepted; no chain-event listener here
  unsigned threads = 0;              // 0: hardware concurrency
  size_t max_sessions = 500000;
  // rmb-rs checks a token at connect only; both limits below are opt-in.
  std::chrono::seconds max_session_age{0};  // 0: no limit
  bool session_age_from_token = false;      // close at the token's exp - iat + 60 s
  uint64_t max_iat_ahead = 0;               // refuse tokens with iat this far ahead; 0: not checked
  std::chrono::seconds idle_timeout{120};
  size_t mailbox_size = 10000;       // per session
  uint64_t mailbox_ttl = 3600;       // seconds
  std::optional<RateLimit> limit;    // --limit <count> <size>
  size_t max_frame_size = 16 << 20;  // rmb-rs (tungstenite) frame limit, §11
  size_t send_queue = 256;           // per connection
  std::chrono::seconds back_pressure_timeout{60};
  std::chrono::milliseconds shutdown_grace{3000};
  bool federation = true;  // false: --no-federation
  std::string federation_scheme = "https";
  std::string federation_ca_file;
  size_t federation_queue = 10000;           // envelopes waiting to be forwarded (beyond: error)
  size_t federation_queue_bytes = 64 << 20;  // and their bytes
  size_t federation_stream_max = 100000;     // --redis: entries in relay.federation.stream
  uint64_t ranker_period = 3600;
  // Per-IP floods (issue 11): events per second per address, bursts of 10 s worth; 0 = off.
  // High enough for a reverse proxy carrying thousands of twins (all from its address) and
  // for the relay benchmark's 10 000 sessions from loopback.
  double ip_connections_per_second = 1000;
  double ip_pings_per_second = 2000;
  double ip_posts_per_second = 5000;
  // Memory bounds under abuse (issue 11).
  size_t max_owed_pongs = 64;                  // pongs queued for a client that does not read
  size_t max_mailboxes = 100000;               // memory mailbox: (twin, sid) with mail or connected
  size_t mailbox_bytes = 1ull << 30;           // memory mailbox: bytes of all stored mail
  size_t redis_store_queue_bytes = 256 << 20;  // --redis: stores waiting for Redis
  bool debug = false;
  unsigned verbosity = 0;      // -d count (rmb-rs: -d debug, -dd trace)
  bool handle_signals = true;  // SIGINT/SIGTERM stop the server (main); off in-process

  // For in-process tests: use this directory instead of opening `directory`.
  std::shared_ptr<core::TwinDirectory> directory_override;
};

// `--help` output or a parsed config.
struct HelpText {
  std::string text;
  bool version = false;  // -V/--version: print the version instead
};
inline constexpr char kRelayVersion[] = "rmb-cpp 0.1.0";
inline constexpr char kDefaultRedis[] = "redis://localhost:6379";
inline constexpr char kDefaultSubstrate[] = "wss://tfchain.grid.tf:443";
std::variant<Config, HelpText> parse_flags_or_help(int argc, const char* const* argv, std::string* error);

}  // namespace rmb::relay
