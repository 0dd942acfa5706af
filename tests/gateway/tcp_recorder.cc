#include "tests/gateway/tcp_recorder.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace rmb::test {

TcpRecorder::TcpRecorder(uint16_t upstream_port) : upstream_port_(upstream_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(listener_, 16) == 0 &&
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port_ = ntohs(addr.sin_port);
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpRecorder::~TcpRecorder() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  ::close(listener_);
  std::vector<std::thread> pumps;
  {
    std::lock_guard lock(mu_);
    for (int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
    pumps.swap(pumps_);
  }
  for (auto& t : pumps) t.join();
  for (int fd : sockets_) ::close(fd);
}

void TcpRecorder::accept_loop() {
  while (!stopping_) {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) {
      if (errno == EINTR) continue;
      return;
    }
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(upstream_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(server);
      ::close(client);
      continue;
    }
    std::lock_guard lock(mu_);
    sockets_.push_back(client);
    sockets_.push_back(server);
    pumps_.emplace_back([this, client, server] { pump(client, server, false); });
    pumps_.emplace_back([this, client, server] { pump(server, client, true); });
  }
}

void TcpRecorder::pump(int from, int to, bool to_client) {
  char buffer[65536];
  while (true) {
    const ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    {
      std::lock_guard lock(mu_);
      (to_client ? downstream_ : upstream_).append(buffer, static_cast<size_t>(n));
    }
    ssize_t off = 0;
    while (off < n) {
      const ssize_t w = ::send(to, buffer + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
      if (w <= 0) break;
      off += w;
    }
    if (off < n) break;
  }
  // Pass the close on, so each side sees the other go.
  ::shutdown(to, SHUT_RDWR);
  ::shutdown(from, SHUT_RDWR);
}

std::string TcpRecorder::downstream() {
  std::lock_guard lock(mu_);
  return downstream_;
}

std::string TcpRecorder::upstream() {
  std::lock_guard lock(mu_);
  return upstream_;
}

}  // namespace rmb::test
