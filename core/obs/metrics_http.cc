#include "core/obs/metrics_http.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/net/url.h"
#include "core/obs/metrics_text.h"

namespace rmb::core::metrics {

std::optional<HttpAnswer> metrics_answer(const Registry& registry, std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/metrics") return HttpAnswer{200, std::string(kTextContentType), registry.render()};
  if (path == "/healthz") return HttpAnswer{200, "text/plain", "ok"};
  return std::nullopt;
}

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const Registry& registry) : stream_(std::move(socket)), registry_(registry) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) return;
    response_.version(request_.version());
    response_.keep_alive(false);
    const auto target = request_.target();
    auto answer = request_.method() == http::verb::get
                      ? metrics_answer(registry_, std::string_view(target.data(), target.size()))
                      : std::nullopt;
    if (answer) {
      response_.result(static_cast<http::status>(answer->status));
      response_.set(http::field::content_type, answer->content_type);
      response_.body() = std::move(answer->body);
    } else {
      response_.result(http::status::not_found);
      response_.set(http::field::content_type, "text/plain");
      response_.body() = "not found; try GET /metrics\n";
    }
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  const Registry& registry_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class Server final : public MetricsServer, public std::enable_shared_from_this<Server> {
 public:
  Server(asio::io_context& io, const Registry& registry) : acceptor_(asio::make_strand(io)), registry_(registry) {}

  absl::Status listen(const std::string& listen) {
    auto parsed = parse_host_port(listen, HostPortRules{.default_port = std::nullopt, .allow_port_zero = true},
                                  "metrics address");
    if (!parsed.ok()) return parsed.status();
    beast::error_code ec;
    const auto address = asio::ip::make_address(parsed->host == "localhost" ? "127.0.0.1" : parsed->host, ec);
    if (ec) {
      return absl::InvalidArgumentError("metrics address '" + listen + "': '" + parsed->host +
                                        "' is not an IP address");
    }
    const tcp::endpoint endpoint(address, parsed->port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return absl::UnavailableError("cannot listen for metrics on '" + listen + "': " + ec.message());
    const auto bound = acceptor_.local_endpoint(ec);
    address_ = (bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string()) + ":" +
               std::to_string(bound.port());
    return absl::OkStatus();
  }

  void accept() {
    acceptor_.async_accept(asio::make_strand(acceptor_.get_executor()),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
                             if (!ec) std::make_shared<Connection>(std::move(socket), self->registry_)->start();
                             self->accept();
                           });
  }

  std::string address() const override { return address_; }

  void stop() override {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  tcp::acceptor acceptor_;
  const Registry& registry_;
  std::string address_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<MetricsServer>> MetricsServer::start(asio::io_context& io, const std::string& listen,
                                                                    const Registry& registry) {
  auto server = std::make_shared<Server>(io, registry);
  if (auto status = server->listen(listen); !status.ok()) return status;
  server->accept();
  return server;
}

}  // namespace rmb::core::metrics
