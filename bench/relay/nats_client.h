#pragma once
// A minimal NATS client (the text protocol of nats-server 2.x) on Asio, for the baseline
// the relay is compared with. Debian ships no C or C++ NATS client library (no cnats /
// libnats package), so the bench speaks the protocol itself, and only the part it needs:
// INFO (read and ignored), CONNECT, PING/PONG both ways, SUB, PUB, MSG, +OK, -ERR.
// Not thread-safe: one I/O thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace rmb::bench {

class NatsClient : public std::enable_shared_from_this<NatsClient> {
 public:
  using ErrorCode = boost::system::error_code;
  using Done = std::function<void(ErrorCode)>;
  struct Message {
    std::string_view subject;
    std::string_view sid;
    std::string_view reply;  // empty if none
    std::string_view payload;
  };
  using OnMessage = std::function<void(const Message&)>;

  static std::shared_ptr<NatsClient> create(boost::asio::io_context& ioc) {
    return std::shared_ptr<NatsClient>(new NatsClient(ioc));
  }

  // Connects to 127.0.0.1:port (TCP_NODELAY), reads INFO, sends CONNECT and PING and
  // calls `ready` at the PONG: from then on the server has processed all we sent.
  void connect(uint16_t port, Done ready);

  void on_message(OnMessage handler) { on_message_ = std::move(handler); }
  // Called for each PONG after the handshake one (answers to ping()).
  void on_pong(std::function<void()> handler) { on_pong_ = std::move(handler); }
  // Called once when the connection ends (error, -ERR, close()).
  void on_end(Done handler) { on_end_ = std::move(handler); }

  // These queue protocol text; queued text is written in as few writes as possible.
  void subscribe(std::string_view subject, std::string_view sid);
  void publish(std::string_view subject, std::string_view reply, std::string_view payload);
  void ping();
  // Appends protocol text as is (e.g. many pre-built PUBs at once).
  void send_raw(std::string_view text);

  // Bytes asked for per read (default 64 KiB); idle clients use less.
  void set_read_chunk(size_t bytes) { read_chunk_ = bytes; }

  void close();
  bool open() const { return open_; }
  // The last -ERR text, if the server sent one.
  const std::string& server_error() const { return server_error_; }

 private:
  explicit NatsClient(boost::asio::io_context& ioc) : socket_(ioc) {}
  void read();
  // Parses complete protocol lines and messages from in_; false on a protocol error.
  bool parse();
  bool handle_line(std::string_view line);
  void flush();
  void end(ErrorCode ec);

  boost::asio::ip::tcp::socket socket_;
  std::string in_;
  size_t in_used_ = 0;
  size_t read_chunk_ = 64 * 1024;
  std::string out_;
  std::string writing_;
  bool open_ = false;
  bool handshaken_ = false;
  bool ended_ = false;
  Done ready_;
  OnMessage on_message_;
  std::function<void()> on_pong_;
  Done on_end_;
  std::string server_error_;
};

}  // namespace rmb::bench
