#pragma once
// rmb-peer's settings: command-line flags (Boost.program_options) over environment
// variables (for containers) over defaults. docs: gateway.md "rmb-peer command line".
#include <functional>
#include <string>
#include <vector>

#include "core/protocol/identity/key_type.h"

namespace rmb::gateway::config {

struct PeerConfig {
  core::KeyType key_type = core::KeyType::kSr25519;
  std::string mnemonic;  // mnemonic, 0x seed, or secret URI (//Alice)
  std::vector<std::string> relays;
  std::string directory;               // twins.json
  std::vector<std::string> substrate;  // tfchain RPC URLs
  std::string grpc_listen = "127.0.0.1:7070";
  std::string metrics_listen;  // empty = off
  std::string redis;           // empty = no Redis front door (--no-redis)
  bool no_redis = false;
  bool redis_defaulted = false;  // rmb-rs's default address taken (said at start)
  std::string redis_instance;    // suffix of this peer's own Redis state keys
  size_t redis_max_orphan_replies = 10000;
  size_t redis_pop_batch = 64;
  bool no_update = false;
  std::string ca_file;
  bool debug = false;   // -d (rmb-rs counts it: -dd is trace, here the same as -d)
  std::string uploads;  // rmb-rs -u/--uploads: accepted, not supported (said at start)
  // Defaults of rmb-rs taken because nothing was given (said at start, in one line each).
  bool relay_defaulted = false;
  bool substrate_defaulted = false;
  unsigned threads = 0;  // I/O threads; 0 = min(cores, 4)
  // Reliability (docs/reliability.md) and bounds; defaults are EngineOptions'.
  unsigned resend_after = 10;        // seconds; 0 = resend only when a relay link drops
  unsigned resend_max = 60;          // seconds between resends at most
  size_t reply_cache = 100000;       // replies kept to answer repeated requests
  size_t reply_cache_mb = 256;       // ... and their bytes, in MiB
  size_t max_pending = 10000;        // outgoing requests waiting for outcomes
  size_t max_incoming = 10000;       // incoming requests handed to services, not yet answered
  unsigned service_grace_ms = 3000;  // after start: requests wait this long for their service
};

struct ParsedFlags {
  enum class Kind { kRun, kHelp, kVersion, kError };
  Kind kind = Kind::kError;
  PeerConfig config;  // kRun
  std::string text;   // kHelp: the help; kVersion: the version line; kError: the message
};

// Max relays a peer connects to (PROTOCOL.md §8.1, §11).
inline constexpr size_t kMaxRelays = 4;
// rmb-rs's defaults (src/bins/rmb-peer.rs): the ThreeFold grid's main network.
inline constexpr const char* kDefaultRelay = "wss://relay.grid.tf:443";
inline constexpr const char* kDefaultSubstrate = "wss://tfchain.grid.tf:443";
inline constexpr const char* kDefaultRedis = "redis://localhost:6379";

using GetEnv = std::function<const char*(const char*)>;
// Parses argv (flags win) and the RMB_* environment variables read through `getenv`.
ParsedFlags parse_peer_flags(int argc, const char* const* argv, const GetEnv& getenv);

}  // namespace rmb::gateway::config
