#pragma once
// The one WebSocket client (ws:// and wss://), on Beast: the URL as core/net/url.h reads
// it, TLS as core/net/tls_client.h sets it up (system store plus --ca-file, SNI, host
// check), one deadline over resolve, connect, TLS handshake and upgrade, a send queue
// written one message at a time, a read loop that hands over whole messages, and close.
// The tfchain client (core/directory/substrate/rpc_client) and the gateway's relay link
// (gateway/link/relay_link) run on it (docs/architecture.md, "One WebSocket client").
//
// Every call must be made on the executor given to make_ws_client (a strand), and every
// handler and callback runs there. The client keeps itself alive while operations are
// pending, so the caller may drop its pointer at any time; after close() nothing is called
// any more.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include "absl/status/status.h"
#include "core/net/url.h"

namespace rmb::core {

struct WsClientOptions {
  // One deadline over name resolution, TCP connect, TLS handshake and the upgrade.
  std::chrono::milliseconds connect_timeout{10000};
  // Beast's keep-alive: with no traffic for half of it the peer is pinged, and the
  // connection is lost when it stays silent for all of it. Whole seconds. 0: none (the
  // caller runs its own keep-alive with ping() and Handlers::on_control).
  std::chrono::milliseconds idle_timeout{0};
  // A larger incoming message loses the connection.
  size_t max_message_bytes = 16 * 1024 * 1024;
  // What the peer is called in "closed by the <peer>": "node", "relay".
  std::string peer = "server";
};

class WsClient {
 public:
  struct Handlers {
    // One whole message; `binary` tells a Binary message from a Text one.
    std::function<void(bool binary, std::string data)> on_message;
    // Every control frame received (ping, pong, close); may be empty.
    std::function<void()> on_control;
    // Once, when an open connection ends other than by close(): "timed out", "closed by
    // the node", "write: <why>", ... Messages still queued are dropped first.
    std::function<void(const std::string& why)> on_lost;
  };
  using Done = std::function<void(absl::Status)>;

  virtual ~WsClient() = default;

  // Resolves, connects, runs the TLS handshake (wss://) and the upgrade to `target` (the
  // URL's own: url().target()); then reads until the connection ends. `done` gets OK or
  // Unavailable whose message names the step: "resolve <host>: ...", "connect: ...",
  // "TLS handshake failed: ..." (core::describe_tls_failure), "websocket handshake: ...".
  virtual void open(std::string target, Handlers handlers, Done done) = 0;
  // Queues one message (after open's success); messages are written in order, one at a
  // time. `done`, if given, runs once the message is written, or with Unavailable when the
  // connection is lost first.
  virtual void send(std::shared_ptr<const std::string> data, bool binary, Done done = nullptr) = 0;
  // A ping with an empty payload; at most one in flight.
  virtual void ping(Done done) = 0;
  // Sends a close frame when open and shuts the socket once the peer answers or `grace`
  // has passed; before that, aborts the open. Idempotent.
  virtual void close(std::chrono::milliseconds grace) = 0;

  virtual const Url& url() const = 0;
  // Messages queued and not yet written.
  virtual size_t queued() const = 0;
};

// `tls` (make_tls_client_context) must be set for a wss:// URL.
std::shared_ptr<WsClient> make_ws_client(boost::asio::any_io_executor strand,
                                         std::shared_ptr<boost::asio::ssl::context> tls, Url url,
                                         WsClientOptions options);

}  // namespace rmb::core
