#include "bench/relay/ws_client.h"

#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>

namespace rmb::bench {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

void WsClient::connect(uint16_t port, std::string token, Done done) {
  auto self = shared_from_this();
  const tcp::endpoint ep(asio::ip::address_v4::loopback(), port);
  ws_.next_layer().async_connect(
      ep, [self, port, token = std::move(token), done = std::move(done)](ErrorCode ec) mutable {
        if (ec) return done(ec);
        self->ws_.next_layer().set_option(tcp::no_delay(true), ec);
        self->ws_.set_option(websocket::stream_base::timeout::suggested(boost::beast::role_type::client));
        self->ws_.binary(true);
        const std::string host = "127.0.0.1:" + std::to_string(port);
        self->ws_.async_handshake(host, "/?" + token, [self, done = std::move(done)](ErrorCode ec) {
          if (!ec) self->open_ = true;
          done(ec);
        });
      });
}

namespace {

// Hands data messages to the callback; a close frame or a protocol error ends reading.
class MessageSink final : public relay::ws::ReaderSink {
 public:
  explicit MessageSink(const WsClient::OnMessage& on_message) : on_message_(on_message) {}
  bool on_message(relay::ws::MessageKind kind, std::string_view payload) override {
    switch (kind) {
      case relay::ws::MessageKind::kBinary:
        on_message_(payload, true);
        return true;
      case relay::ws::MessageKind::kText:
        on_message_(payload, false);
        return true;
      case relay::ws::MessageKind::kClose:
        return false;
      default:
        return true;  // the relay sends no pings
    }
  }
  void on_error(uint16_t, std::string_view) override {}

 private:
  const WsClient::OnMessage& on_message_;
};

}  // namespace

void WsClient::read_messages(OnMessage on_message, Done on_end) {
  relay::ws::FrameReader::Limits limits;
  limits.max_message = 16 << 20;
  limits.masked = false;
  reader_ = std::make_unique<relay::ws::FrameReader>(limits);
  on_message_ = std::move(on_message);
  on_end_ = std::move(on_end);
  read_frames();
}

void WsClient::read_frames() {
  auto self = shared_from_this();
  ws_.next_layer().async_read_some(asio::buffer(reader_->read_data(), reader_->read_size()),
                                   [self](ErrorCode ec, size_t n) {
                                     if (!ec) {
                                       MessageSink sink(self->on_message_);
                                       if (self->reader_->commit(n, sink) && self->open_) return self->read_frames();
                                       ec = boost::beast::websocket::error::closed;
                                     }
                                     self->open_ = false;
                                     self->on_end_(ec);
                                   });
}

void WsClient::send(std::string bytes) {
  send_queue_.push_back(std::move(bytes));
  if (!writing_) write_next();
}

void WsClient::write_next() {
  if (send_queue_.empty() || !open_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  auto self = shared_from_this();
  ws_.async_write(asio::buffer(send_queue_.front()), [self](ErrorCode ec, size_t) {
    self->send_queue_.pop_front();
    if (ec) {
      self->writing_ = false;
      self->send_queue_.clear();
      return;  // the read loop reports the end of the connection
    }
    self->write_next();
  });
}

void WsClient::start_raw_mode(Done on_end) {
  raw_on_end_ = std::move(on_end);
  raw_in_.resize(16 * 1024);
  raw_read();
}

void WsClient::raw_read() {
  auto self = shared_from_this();
  ws_.next_layer().async_read_some(asio::buffer(raw_in_), [self](ErrorCode ec, size_t n) {
    if (ec) {
      self->open_ = false;
      if (self->raw_on_end_) self->raw_on_end_(ec);
      return;
    }
    self->raw_received_ += n;
    self->raw_read();
  });
}

void WsClient::send_raw_frames(std::string_view payload, size_t copies) {
  for (size_t i = 0; i < copies; ++i) append_masked_binary_frame(raw_out_, payload, masks_.next());
  if (raw_writing_.empty()) raw_write();
}

void WsClient::raw_write() {
  if (raw_out_.empty() || !open_) return;
  raw_writing_.swap(raw_out_);
  auto self = shared_from_this();
  asio::async_write(ws_.next_layer(), asio::buffer(raw_writing_), [self](ErrorCode ec, size_t) {
    self->raw_writing_.clear();
    if (ec) {
      self->raw_out_.clear();
      return;  // raw_read reports the end of the connection
    }
    self->raw_write();
  });
}

void WsClient::close() {
  open_ = false;
  ErrorCode ec;
  ws_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
  ws_.next_layer().close(ec);
}

}  // namespace rmb::bench
