#pragma once
// The gateway's connections to its relays (PROTOCOL.md §4, §5.1-§5.3, §8.2 step 4, §8.6
// step 6): one WebSocket per relay URL, a JWT minted at each connect (no sid), WS pings
// when idle, reconnects with capped exponential backoff and jitter, and sends that fail
// over from link to link without losing the frame while its deadline allows.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/status/status.h"
#include "core/protocol/identity/signer.h"

namespace rmb::gateway {

struct LinkStatus {
  enum class State { kConnecting, kConnected, kBackoff };
  std::string url;
  State state = State::kConnecting;
  uint64_t connected_since = 0;  // unix seconds; 0 when not connected
  uint64_t reconnects = 0;
  std::string last_error;
};

struct LinkOptions {
  // ws://host[:port][/path] or wss://...; one link each.
  std::vector<std::string> urls;
  const core::Signer* signer = nullptr;  // outlives the links
  uint32_t twin = 0;
  std::chrono::seconds jwt_ttl{300};
  std::chrono::milliseconds ping_after_idle{20000};
  std::chrono::milliseconds silent_timeout{40000};
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{30000};
  // One deadline over name resolution, TCP connect, TLS handshake and the WebSocket upgrade
  // (core::WsClientOptions::connect_timeout).
  std::chrono::milliseconds connect_timeout{10000};
  // Frames waiting for a socket, per link; beyond it send() fails over or fails.
  size_t queue_limit = 1024;
  // PEM file of extra trusted CAs for wss:// (tests, private relays); the system store
  // is always used. Certificate verification is never turned off.
  std::string ca_file;
};

class RelayLinks {
 public:
  using FrameHandler = std::function<void(std::string frame)>;
  // A link came up (`up`) or went down; `any_up` tells whether some link is connected after
  // it. Called on an I/O thread; must not block.
  using LinkEventHandler = std::function<void(size_t link, bool up, bool any_up)>;
  using SendDone = std::function<void(absl::Status)>;
  using Clock = std::chrono::steady_clock;

  virtual ~RelayLinks() = default;

  // Connects every link; each binary frame received from any relay goes to `on_frame`
  // (called on an I/O thread; must not block; frames from different relays may arrive
  // concurrently, frames from one relay arrive in order).
  // `on_link` (optional) hears every link going up or down: a frame written on a link that
  // then dropped may have died in the relay, and the engine sends what is unanswered again.
  virtual void start(FrameHandler on_frame, LinkEventHandler on_link = {}) = 0;
  // Closes the links; pending sends complete with CANCELLED. Once it returns, neither
  // `on_frame` nor any `done` runs any more. Destroying the RelayLinks stops it too.
  virtual void stop() = 0;

  // Writes `frame` as one binary message on a live link, starting with the last one that
  // worked; a link that fails before the write completes hands the frame to the next.
  // `done` runs once: OK when a socket took the frame, UNAVAILABLE ("no relay link is
  // connected ...") when none could before `deadline`, CANCELLED after stop(). It runs
  // before send() returns only when the frame is refused at once (stopped, or every queue
  // and the hold list are full).
  virtual void send(std::shared_ptr<const std::string> frame, Clock::time_point deadline, SendDone done) = 0;

  virtual std::vector<LinkStatus> status() const = 0;
  // True when at least one link is connected.
  virtual bool any_connected() const = 0;
};

// A bad URL or an unusable CA file disables that link (status() says why, once, in
// last_error); check_link_options() reports the same problems up front.
std::unique_ptr<RelayLinks> make_relay_links(boost::asio::io_context& io, LinkOptions options);

// Every URL parses (ws:// or wss://, host, port 1-65535) and, when a wss:// URL is
// given, the trust store and options.ca_file load. For rmb-peer's flag checks.
absl::Status check_link_options(const LinkOptions& options);

}  // namespace rmb::gateway
