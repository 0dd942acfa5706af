#pragma once
// An in-process WebSocket server on 127.0.0.1 for the tests of core::WsClient and of the
// gateway's relay link (no relay, no JWT check): records each upgrade target and either
// echoes each message back as it came (Binary or Text) or stays mute (accepts, then never
// reads, so pings go unanswered); or takes the TCP connection and never answers the
// upgrade; or answers the upgrade with HTTP 403.
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace rmb::test {

class FakeWsServer {
 public:
  enum class Mode { kEcho, kMute, kNoUpgrade, kRefuse };
  // The body of kRefuse's 403.
  static constexpr const char* kRefusal = "not on the list";
  // Binary message "text please" is answered with a Text message then the echo.
  static constexpr const char* kAskText = "text please";
  // Binary message "close please" makes the server drop the connection (the first time;
  // later ones are echoed: the link may send it again when the drop beat the write's
  // completion).
  static constexpr const char* kAskClose = "close please";

  // port 0: a free one.
  explicit FakeWsServer(Mode mode, uint16_t port = 0);
  ~FakeWsServer();

  uint16_t port() const { return port_; }
  // Upgrades answered.
  size_t connections() const;
  // TCP connections taken.
  size_t accepted() const;
  std::vector<std::string> targets() const;
  // Messages received, all connections.
  std::vector<std::string> received() const;
  // Connections the server is done with: the client closed it, the server dropped it
  // (kAskClose) or refused it (kRefuse).
  size_t ended() const;

 private:
  void accept_loop();
  void serve(boost::asio::ip::tcp::socket socket);

  Mode mode_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread accept_thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<bool> closed_once_{false};
  size_t accepted_ = 0;
  size_t ended_ = 0;
  std::vector<int> sockets_;
  std::vector<std::thread> threads_;
  std::vector<std::string> targets_;
  std::vector<std::string> received_;
};

}  // namespace rmb::test
