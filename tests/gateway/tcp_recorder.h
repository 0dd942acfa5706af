#pragma once
// A TCP proxy on 127.0.0.1 that forwards every connection to an upstream port and keeps a
// copy of the bytes going each way, so a test can check what crossed the wire.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rmb::test {

class TcpRecorder {
 public:
  explicit TcpRecorder(uint16_t upstream_port);
  ~TcpRecorder();

  uint16_t port() const { return port_; }
  // Bytes the upstream sent to the clients, and the clients to the upstream.
  std::string downstream();
  std::string upstream();

 private:
  void accept_loop();
  void pump(int from, int to, bool to_client);

  uint16_t upstream_port_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> pumps_;
  std::vector<int> sockets_;
  std::string downstream_;
  std::string upstream_;
};

}  // namespace rmb::test
