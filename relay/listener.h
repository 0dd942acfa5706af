#pragma once
// Accepts TCP connections and hands each, on its own strand, to an HttpConnection (plain
// or TLS).
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/statusor.h"
#include "relay/net_types.h"
#include "relay/server_context.h"

namespace rmb::relay {

// "[::]:8080", "0.0.0.0:80", "127.0.0.1:0", "localhost:8080".
absl::StatusOr<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds now, so that the port is known (and taken) when this returns.
  static absl::StatusOr<std::shared_ptr<Listener>> open(ServerContext& ctx, boost::asio::ssl::context* tls,
                                                        const boost::asio::ip::tcp::endpoint& endpoint);
  void start();
  void stop();  // thread-safe
  uint16_t port() const { return port_; }

 private:
  Listener(ServerContext& ctx, boost::asio::ssl::context* tls);
  void do_accept();
  void on_accept(boost::system::error_code ec, TcpSocket socket);

  ServerContext& ctx_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  uint16_t port_ = 0;
};

}  // namespace rmb::relay
