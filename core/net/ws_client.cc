#include "core/net/ws_client.h"

#include <algorithm>
#include <deque>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "core/net/tls_client.h"

namespace rmb::core {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

template <class NextLayer>
constexpr bool kIsTls = !std::is_same_v<NextLayer, beast::tcp_stream>;

template <class NextLayer>
class BeastWsClient final : public WsClient, public std::enable_shared_from_this<BeastWsClient<NextLayer>> {
 public:
  template <class... StreamArgs>
  BeastWsClient(net::any_io_executor executor, std::shared_ptr<net::ssl::context> tls, Url url, WsClientOptions options,
                StreamArgs&&... stream_args)
      : tls_(std::move(tls)),
        url_(std::move(url)),
        options_(std::move(options)),
        resolver_(executor),
        ws_(std::forward<StreamArgs>(stream_args)...),
        timer_(executor) {}

  void open(std::string target, Handlers handlers, Done done) override {
    target_ = std::move(target);
    handlers_ = std::move(handlers);
    open_done_ = std::move(done);
    deadline_ = Clock::now() + options_.connect_timeout;
    // Name resolution has no timeout of its own: the timer cancels it.
    timer_.expires_at(deadline_);
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->resolver_.cancel();
    });
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type results) {
                              self->on_resolved(ec, std::move(results));
                            });
  }

  void send(std::shared_ptr<const std::string> data, bool binary, Done done) override {
    if (closing_ || lost_) {
      if (done && !closing_) done(absl::UnavailableError("connection lost"));
      return;
    }
    queue_.push_back({std::move(data), binary, std::move(done)});
    if (open_ && !writing_) write_next();
  }

  void ping(Done done) override {
    ws_.async_ping({}, [self = this->shared_from_this(), done = std::move(done)](error_code ec) {
      if (self->closing_ || !done) return;
      done(ec ? absl::UnavailableError(absl::StrCat("ping: ", self->describe(ec))) : absl::OkStatus());
    });
  }

  void close(std::chrono::milliseconds grace) override {
    if (closing_) return;
    closing_ = true;
    // Nothing is called from here on: the handlers and callbacks go (and with them
    // whatever they hold).
    handlers_ = {};
    open_done_ = nullptr;
    queue_.clear();
    resolver_.cancel();
    timer_.cancel();
    if (!open_ || lost_) {
      shut();
      return;
    }
    ws_.async_close(websocket::close_code::normal, [self = this->shared_from_this()](error_code) { self->shut(); });
    timer_.expires_after(grace);
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->shut();
    });
  }

  const Url& url() const override { return url_; }
  size_t queued() const override { return queue_.size(); }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> data;
    bool binary;
    Done done;
  };

  auto& tcp_layer() { return beast::get_lowest_layer(ws_); }

  std::string describe(const error_code& ec) const {
    if (ec == beast::error::timeout || ec == net::error::timed_out) return "timed out";
    if (ec == websocket::error::closed) return "closed by the " + options_.peer;
    return ec.message();
  }

  void shut() {
    timer_.cancel();
    error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer().close();
  }

  void finish_open(absl::Status status) {
    if (closing_ || !open_done_) return;
    auto done = std::move(open_done_);
    open_done_ = nullptr;
    if (status.ok()) {
      open_ = true;
      if (handlers_.on_control) {
        // `this`, not a shared pointer: the stream holds the callback, which runs only during a
        // read, whose handler holds the client.
        ws_.control_callback([this](websocket::frame_type, beast::string_view) {
          if (!closing_ && handlers_.on_control) handlers_.on_control();
        });
      }
      read_next();
      if (!queue_.empty()) write_next();
    } else {
      shut();
      handlers_ = {};
      queue_.clear();
    }
    done(std::move(status));
  }

  void on_resolved(error_code ec, tcp::resolver::results_type results) {
    timer_.cancel();
    if (closing_) return;
    if (ec) {
      const std::string why = ec == net::error::operation_aborted ? "timed out" : ec.message();
      return finish_open(absl::UnavailableError(absl::StrCat("resolve ", url_.host, ": ", why)));
    }
    tcp_layer().expires_at(deadline_);
    tcp_layer().async_connect(
        results, [self = this->shared_from_this()](error_code cec, const tcp::endpoint&) { self->on_connected(cec); });
  }

  void on_connected(error_code ec) {
    if (closing_) return;
    if (ec) return finish_open(absl::UnavailableError(absl::StrCat("connect: ", describe(ec))));
    error_code ignored;
    tcp_layer().socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kIsTls<NextLayer>) {
      if (auto s = prepare_tls_stream(ws_.next_layer().native_handle(), url_.host); !s.ok()) {
        return finish_open(absl::UnavailableError(std::string(s.message())));
      }
      ws_.next_layer().async_handshake(net::ssl::stream_base::client,
                                       [self = this->shared_from_this()](error_code hec) { self->on_tls(hec); });
    } else {
      upgrade();
    }
  }

  void on_tls(error_code ec) {
    if constexpr (kIsTls<NextLayer>) {
      if (closing_) return;
      if (ec == beast::error::timeout) return finish_open(absl::UnavailableError("tls handshake: timed out"));
      if (ec) return finish_open(absl::UnavailableError(describe_tls_failure(ws_.next_layer().native_handle(), ec)));
      upgrade();
    }
  }

  void upgrade() {
    // From here Beast's own timeouts apply (Beast's advice: no stream timer alongside).
    tcp_layer().expires_never();
    websocket::stream_base::timeout timeouts{};
    // What is left of the one deadline; at least a millisecond, so that a deadline already
    // passed times the upgrade out at once rather than never.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    timeouts.handshake_timeout = std::max(left, std::chrono::milliseconds(1));
    if (options_.idle_timeout.count() > 0) {
      timeouts.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(options_.idle_timeout);
      timeouts.keep_alive_pings = true;
    } else {
      timeouts.idle_timeout = websocket::stream_base::none();
      timeouts.keep_alive_pings = false;
    }
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "rmb-cpp"); }));
    ws_.read_message_max(options_.max_message_bytes);
    ws_.async_handshake(response_, url_.host_header, target_,
                        [self = this->shared_from_this()](error_code ec) { self->on_upgraded(ec); });
  }

  void on_upgraded(error_code ec) {
    if (closing_) return;
    if (!ec) return finish_open(absl::OkStatus());
    // Only a declined upgrade has read an answer: otherwise (a timeout, a reset) response_
    // still holds its default status, 200, which no server sent.
    if (ec == websocket::error::upgrade_declined) {
      const unsigned status = response_.result_int();
      std::string body = response_.body();
      if (body.size() > 200) body.resize(200);
      return finish_open(
          absl::UnavailableError(absl::StrCat("websocket handshake: refused with HTTP ", status, " ", body)));
    }
    finish_open(absl::UnavailableError(absl::StrCat("websocket handshake: ", describe(ec))));
  }

  void read_next() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, size_t) {
      if (self->closing_ || self->lost_) return;
      if (ec) return self->lose(self->describe(ec));
      std::string data = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->handlers_.on_message) self->handlers_.on_message(self->ws_.got_binary(), std::move(data));
      if (!self->closing_ && !self->lost_) self->read_next();
    });
  }

  void write_next() {
    writing_ = true;
    const Outgoing& next = queue_.front();
    ws_.binary(next.binary);
    ws_.async_write(net::buffer(*next.data),
                    [self = this->shared_from_this(), data = next.data](error_code ec, size_t) {
                      self->writing_ = false;
                      if (self->closing_ || self->lost_) return;
                      if (ec) return self->lose(absl::StrCat("write: ", self->describe(ec)));
                      Done done = std::move(self->queue_.front().done);
                      self->queue_.pop_front();
                      if (done) done(absl::OkStatus());
                      if (!self->closing_ && !self->lost_ && !self->queue_.empty() && !self->writing_)
                        self->write_next();
                    });
  }

  void lose(const std::string& why) {
    lost_ = true;
    shut();
    auto dropped = std::move(queue_);
    queue_.clear();
    auto handlers = std::move(handlers_);
    handlers_ = {};
    for (auto& item : dropped) {
      if (item.done) item.done(absl::UnavailableError(absl::StrCat("connection lost: ", why)));
    }
    if (handlers.on_lost) handlers.on_lost(why);
  }

  std::shared_ptr<net::ssl::context> tls_;  // outlives the stream that refers to it
  const Url url_;
  const WsClientOptions options_;
  tcp::resolver resolver_;
  websocket::stream<NextLayer> ws_;
  net::steady_timer timer_;  // the resolve deadline, then the close grace
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  std::string target_;
  Clock::time_point deadline_;
  Handlers handlers_;
  Done open_done_;
  std::deque<Outgoing> queue_;
  bool open_ = false;
  bool writing_ = false;
  bool lost_ = false;
  bool closing_ = false;
};

}  // namespace

std::shared_ptr<WsClient> make_ws_client(net::any_io_executor strand, std::shared_ptr<net::ssl::context> tls, Url url,
                                         WsClientOptions options) {
  if (url.tls) {
    using Tls = beast::ssl_stream<beast::tcp_stream>;
    auto& ctx = *tls;
    return std::make_shared<BeastWsClient<Tls>>(strand, std::move(tls), std::move(url), std::move(options), strand,
                                                ctx);
  }
  return std::make_shared<BeastWsClient<beast::tcp_stream>>(strand, nullptr, std::move(url), std::move(options),
                                                            strand);
}

}  // namespace rmb::core
