#include "relay/listener.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/strings/numbers.h"
#include "core/obs/log.h"
#include "core/obs/log_throttle.h"
#include "relay/http_connection.h"

namespace rmb::relay {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

absl::StatusOr<tcp::endpoint> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError(core::cat("bad listen address '", text, "': expected [ipv6]:port"));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError(core::cat("bad listen address '", text, "': expected host:port"));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  uint32_t port_number = 0;
  if (!absl::SimpleAtoi(absl::string_view(port.data(), port.size()), &port_number) || port_number > 65535) {
    return absl::InvalidArgumentError(core::cat("bad port in listen address '", text, "'"));
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto address = net::ip::make_address(std::string(host), ec);
  if (ec) return absl::InvalidArgumentError(core::cat("bad host in listen address '", text, "': ", ec.message()));
  return tcp::endpoint(address, static_cast<uint16_t>(port_number));
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
    ctx_.metrics.drops.inc("ip_connection_limit");
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
