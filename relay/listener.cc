#include "relay/listener.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "core/net/url.h"
#include "core/obs/log.h"
#include "core/obs/log_throttle.h"
#include "relay/http_connection.h"

namespace rmb::relay {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

absl::StatusOr<tcp::endpoint> parse_listen_address(std::string_view text) {
  auto host_port =
      core::parse_host_port(text, {.default_port = std::nullopt, .allow_port_zero = true}, "listen address");
  if (!host_port.ok()) return host_port.status();
  const std::string host = host_port->host == "localhost" ? "127.0.0.1" : host_port->host;
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(core::cat("bad host in listen address '", text, "': ", ec.message()));
  return tcp::endpoint(address, host_port->port);
}

Listener::Listener(ServerContext& ctx, net::ssl::context* tls)
    : ctx_(ctx), tls_(tls), acceptor_(net::make_strand(ctx.io)), retry_timer_(acceptor_.get_executor()) {}

absl::StatusOr<std::shared_ptr<Listener>> Listener::open(ServerContext& ctx, net::ssl::context* tls,
                                                         const tcp::endpoint& endpoint) {
  std::shared_ptr<Listener> listener(new Listener(ctx, tls));
  boost::system::error_code ec;
  auto& a = listener->acceptor_;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  // "[::]" serves IPv4 too, as in rmb-rs (hyper binds dual-stack).
  if (!ec && endpoint.address().is_v6()) a.set_option(net::ip::v6_only(false), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::ostringstream where;
    where << endpoint;
    return absl::UnavailableError(core::cat("cannot listen on ", where.str(), ": ", ec.message()));
  }
  listener->port_ = a.local_endpoint().port();
  return listener;
}

void Listener::start() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->retry_timer_.cancel();
    self->acceptor_.close(ignored);
  });
}

void Listener::do_accept() {
  // Each connection gets its own strand: its handlers never run concurrently, different
  // connections run in parallel on the pool.
  acceptor_.async_accept(net::make_strand(ctx_.io),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, TcpSocket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE and friends: back off instead of spinning.
    core::log_warn("accept failed: ", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code timer_ec) {
      if (!timer_ec) self->do_accept();
    });
    return;
  }
  boost::system::error_code ignored;
  const auto peer = socket.remote_endpoint(ignored);
  if (!ignored && !ctx_.ip_limits.connections.allow(peer.address())) {
    // One short answer without reading the request: the client sees why, and the refusal
    // costs no parser or strand. MSG_DONTWAIT: a full socket just gets the close.
    static const std::string kTooMany = [] {
      const std::string body = "too many new connections from this address";
      return core::cat("HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nContent-Length: ", body.size(),
                       "\r\nConnection: close\r\n\r\n", body);
    }();
    static core::LogThrottle throttle;
    ctx_.metrics.drops.with("ip_connection_limit").inc();
    throttle.warn("refused a connection from ", peer.address().to_string(), ": over --ip-connections-per-second");
    socket.send(net::buffer(kTooMany), MSG_DONTWAIT, ignored);
    socket.close(ignored);
    do_accept();
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls_) {
    std::make_shared<HttpConnection<TlsStream>>(TlsStream(TcpStream(std::move(socket)), *tls_), ctx_)->start();
  } else {
    std::make_shared<HttpConnection<TcpStream>>(TcpStream(std::move(socket)), ctx_)->start();
  }
  do_accept();
}

}  // namespace rmb::relay
