#pragma once
// One WebSocket client connection to the relay on an io_context (Boost.Beast,
// websocket::stream<tcp::socket>). Not thread-safe: the bench runs one I/O thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bench/relay/ws_frame.h"
#include "relay/ws/frame_reader.h"

namespace rmb::bench {

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  using ErrorCode = boost::system::error_code;
  using Done = std::function<void(ErrorCode)>;
  using OnMessage = std::function<void(std::string_view bytes, bool binary)>;

  static std::shared_ptr<WsClient> create(boost::asio::io_context& ioc) {
    return std::shared_ptr<WsClient>(new WsClient(ioc));
  }

  // TCP connect to 127.0.0.1:port (TCP_NODELAY), then the upgrade with the token as the
  // raw query string (PROTOCOL.md §4.2). `done` gets the first error or success.
  void connect(uint16_t port, std::string token, Done done);

  // Read loop: every message to `on_message` until the connection ends (`on_end`). Frames
  // are parsed by the relay's own ws::FrameReader, many per socket read, like the NATS
  // client parses its messages: a Beast read per message made the bench thread, not the
  // relay, the limit of the throughput runs. Beast must not read on this connection.
  void read_messages(OnMessage on_message, Done on_end);
  // Queues one binary message for a Beast write (one write in flight at a time).
  void send(std::string bytes);

  // Throughput sender mode: frames go straight to the socket, many per write (Beast
  // writes one message per operation). Beast must then neither read nor write on this
  // connection (its automatic pong would interleave), so the socket is read raw and the
  // bytes the relay sends are only counted: a sender expects none.
  void start_raw_mode(Done on_end);
  void send_raw_frames(std::string_view payload, size_t copies);
  uint64_t raw_bytes_received() const { return raw_received_; }

  // Closes the socket at once; pending operations end with operation_aborted.
  void close();
  bool open() const { return open_; }

 private:
  explicit WsClient(boost::asio::io_context& ioc) : ws_(ioc) {}
  void write_next();
  void raw_read();
  void read_frames();
  void raw_write();

  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  std::unique_ptr<relay::ws::FrameReader> reader_;
  OnMessage on_message_;
  Done on_end_;
  std::deque<std::string> send_queue_;
  bool writing_ = false;
  bool open_ = false;

  MaskSource masks_;
  std::string raw_out_;      // frames waiting for the next write
  std::string raw_writing_;  // frames of the write in flight
  std::string raw_in_;
  uint64_t raw_received_ = 0;
  Done raw_on_end_;
};

}  // namespace rmb::bench
