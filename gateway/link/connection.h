#pragma once
// One WebSocket connection to a relay, ws:// or wss:// behind one interface, so the link
// logic (relay_link.h) is written once. Every call and every completion runs on the
// executor given at creation (the link's strand); completions may outlive the caller
// because the connection keeps itself alive while operations are pending.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "absl/status/status.h"
#include "core/net/url.h"

namespace rmb::gateway::link {

class Connection {
 public:
  using OpenHandler = std::function<void(absl::Status)>;
  using ReadHandler = std::function<void(boost::system::error_code, bool binary, std::string data)>;
  using WriteHandler = std::function<void(boost::system::error_code)>;

  virtual ~Connection() = default;

  // Resolves, connects, runs the TLS handshake (wss) and the upgrade to `target`. The
  // error text says which step failed.
  virtual void open(std::string target, OpenHandler done) = 0;
  // One message; binary tells Binary from Text.
  virtual void read(ReadHandler done) = 0;
  // One Binary message. At most one write in flight.
  virtual void write(std::shared_ptr<const std::string> frame, WriteHandler done) = 0;
  // A WS ping with an empty payload. At most one ping in flight.
  virtual void ping(WriteHandler done) = 0;
  // Called for every control frame received (pong, ping, close) while a read is pending.
  virtual void on_control(std::function<void()> callback) = 0;
  // Sends a close frame when open, then shuts the socket (after at most `grace`); cancels
  // whatever is pending. Idempotent.
  virtual void close(std::chrono::milliseconds grace) = 0;
};

struct ConnectionOptions {
  std::chrono::milliseconds connect_timeout{10000};
  size_t max_message_bytes = 64 * 1024 * 1024;  // §5.1 / §11: tungstenite's default
};

// `tls` must be set for wss:// URLs.
std::shared_ptr<Connection> make_connection(boost::asio::any_io_executor executor,
                                            std::shared_ptr<boost::asio::ssl::context> tls, core::Url url,
                                            ConnectionOptions options);

}  // namespace rmb::gateway::link
