// The relay link's WebSocket (callbacks on the link's strand). core::WsClient
// (core/net/ws_client.h) is the one client the tfchain RpcClient uses; this link has not moved
// onto it yet (docs/architecture.md says how: one deadline over the whole open, its error
// texts). Both read URLs with core/net/url.h and set up TLS with core/net/tls_client.h.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "core/net/tls_client.h"
#include "gateway/link/connection.h"

namespace rmb::gateway::link {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

template <class NextLayer>
constexpr bool kIsTls = !std::is_same_v<NextLayer, beast::tcp_stream>;

template <class NextLayer>
class WsConnection final : public Connection, public std::enable_shared_from_this<WsConnection<NextLayer>> {
 public:
  template <class... StreamArgs>
  WsConnection(net::any_io_executor executor, std::shared_ptr<net::ssl::context> tls, core::Url url,
               ConnectionOptions options, StreamArgs&&... stream_args)
      : tls_(std::move(tls)),
        url_(std::move(url)),
        options_(options),
        resolver_(executor),
        ws_(std::forward<StreamArgs>(stream_args)...),
        close_timer_(executor) {}

  void open(std::string target, OpenHandler done) override {
    target_ = std::move(target);
    open_done_ = std::move(done);
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type results) {
                              self->on_resolved(ec, std::move(results));
                            });
  }

  void read(ReadHandler done) override {
    ws_.async_read(buffer_, [self = this->shared_from_this(), done = std::move(done)](error_code ec, size_t) {
      if (ec) {
        done(ec, false, {});
        return;
      }
      std::string data = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      done(ec, self->ws_.got_binary(), std::move(data));
    });
  }

  void write(std::shared_ptr<const std::string> frame, WriteHandler done) override {
    const net::const_buffer bytes(frame->data(), frame->size());
    ws_.async_write(bytes, [self = this->shared_from_this(), frame = std::move(frame), done = std::move(done)](
                               error_code ec, size_t) { done(ec); });
  }

  void ping(WriteHandler done) override {
    ws_.async_ping({}, [self = this->shared_from_this(), done = std::move(done)](error_code ec) { done(ec); });
  }

  void on_control(std::function<void()> callback) override {
    ws_.control_callback([callback = std::move(callback)](websocket::frame_type, beast::string_view) { callback(); });
  }

  void close(std::chrono::milliseconds grace) override {
    if (closing_) return;
    closing_ = true;
    resolver_.cancel();
    if (!open_) {
      shut();
      return;
    }
    // A graceful close lets the relay end the session at once; the timer bounds it when
    // the relay is gone or a write is stuck behind a full socket.
    ws_.async_close(websocket::close_code::normal, [self = this->shared_from_this()](error_code) { self->shut(); });
    close_timer_.expires_after(grace);
    close_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->shut();
    });
  }

 private:
  auto& tcp_layer() { return beast::get_lowest_layer(ws_); }

  void shut() {
    close_timer_.cancel();
    error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer().close();
  }

  void finish_open(absl::Status status) {
    if (!open_done_) return;
    auto done = std::move(open_done_);
    open_done_ = nullptr;
    if (!status.ok()) shut();
    done(std::move(status));
  }

  void on_resolved(error_code ec, tcp::resolver::results_type results) {
    if (closing_) return finish_open(absl::CancelledError("closed"));
    if (ec) return finish_open(absl::UnavailableError(absl::StrCat("cannot resolve ", url_.host, ": ", ec.message())));
    tcp_layer().expires_after(options_.connect_timeout);
    tcp_layer().async_connect(
        results, [self = this->shared_from_this()](error_code cec, const tcp::endpoint&) { self->on_connected(cec); });
  }

  void on_connected(error_code ec) {
    if (closing_) return finish_open(absl::CancelledError("closed"));
    if (ec == beast::error::timeout) return finish_open(absl::UnavailableError("connect timed out"));
    if (ec) return finish_open(absl::UnavailableError(absl::StrCat("cannot connect: ", ec.message())));
    error_code ignored;
    tcp_layer().socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kIsTls<NextLayer>) {
      if (auto s = core::prepare_tls_stream(ws_.next_layer().native_handle(), url_.host); !s.ok()) {
        return finish_open(std::move(s));
      }
      ws_.next_layer().async_handshake(net::ssl::stream_base::client,
                                       [self = this->shared_from_this()](error_code hec) { self->on_tls(hec); });
    } else {
      upgrade();
    }
  }

  void on_tls(error_code ec) {
    if constexpr (kIsTls<NextLayer>) {
      if (closing_) return finish_open(absl::CancelledError("closed"));
      if (ec == beast::error::timeout) return finish_open(absl::UnavailableError("TLS handshake timed out"));
      if (ec)
        return finish_open(absl::UnavailableError(core::describe_tls_failure(ws_.next_layer().native_handle(), ec)));
      upgrade();
    }
  }

  void upgrade() {
    // From here Beast's own timeouts apply (Beast's advice: no stream timer alongside).
    tcp_layer().expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the link runs its own keep-alive
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "rmb-cpp"); }));
    ws_.read_message_max(options_.max_message_bytes);
    ws_.binary(true);
    ws_.async_handshake(response_, url_.host_header, target_,
                        [self = this->shared_from_this()](error_code ec) { self->on_upgraded(ec); });
  }

  void on_upgraded(error_code ec) {
    if (closing_) return finish_open(absl::CancelledError("closed"));
    if (ec) {
      const unsigned status = response_.result_int();
      if (status != 0 && status != 101) {
        std::string body = response_.body();
        if (body.size() > 200) body.resize(200);
        return finish_open(absl::UnavailableError(absl::StrCat("upgrade refused: HTTP ", status, " ", body)));
      }
      return finish_open(absl::UnavailableError(absl::StrCat("WebSocket handshake failed: ", ec.message())));
    }
    open_ = true;
    finish_open(absl::OkStatus());
  }

  std::shared_ptr<net::ssl::context> tls_;  // outlives the stream that refers to it
  core::Url url_;
  ConnectionOptions options_;
  tcp::resolver resolver_;
  websocket::stream<NextLayer> ws_;
  net::steady_timer close_timer_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  std::string target_;
  OpenHandler open_done_;
  bool open_ = false;
  bool closing_ = false;
};

}  // namespace

std::shared_ptr<Connection> make_connection(net::any_io_executor executor, std::shared_ptr<net::ssl::context> tls,
                                            core::Url url, ConnectionOptions options) {
  if (url.tls) {
    using Tls = beast::ssl_stream<beast::tcp_stream>;
    auto& ctx = *tls;
    return std::make_shared<WsConnection<Tls>>(executor, std::move(tls), std::move(url), options, executor, ctx);
  }
  return std::make_shared<WsConnection<beast::tcp_stream>>(executor, nullptr, std::move(url), options, executor);
}

}  // namespace rmb::gateway::link
