#include "tests/support/fake_ws_server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace rmb::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

FakeWsServer::FakeWsServer(Mode mode, uint16_t port) : mode_(mode), acceptor_(io_) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept_thread_ = std::thread([this] { accept_loop(); });
}

FakeWsServer::~FakeWsServer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    // shutdown(2) wakes the threads blocked in accept/read on these descriptors.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    for (int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
  }
  cv_.notify_all();
  accept_thread_.join();
  for (auto& t : threads_) t.join();
}

size_t FakeWsServer::connections() const {
  std::lock_guard lock(mu_);
  return targets_.size();
}

size_t FakeWsServer::accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

std::vector<std::string> FakeWsServer::targets() const {
  std::lock_guard lock(mu_);
  return targets_;
}

std::vector<std::string> FakeWsServer::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

size_t FakeWsServer::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

void FakeWsServer::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (ec) continue;
    ++accepted_;
    sockets_.push_back(socket.native_handle());
    threads_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
  }
}

void FakeWsServer::serve(tcp::socket socket) {
  boost::system::error_code ec;
  const int fd = socket.native_handle();
  websocket::stream<tcp::socket> ws(std::move(socket));
  // Declared after `ws`, so it runs before the descriptor is closed (and maybe reused).
  struct Forget {
    FakeWsServer* server;
    int fd;
    ~Forget() {
      std::lock_guard lock(server->mu_);
      std::erase(server->sockets_, fd);
      ++server->ended_;
    }
  } forget{this, fd};
  if (mode_ == Mode::kNoUpgrade) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopping_; });
    return;
  }
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::read(ws.next_layer(), buffer, request, ec);
  if (ec) return;
  if (mode_ == Mode::kRefuse) {
    http::response<http::string_body> refusal(http::status::forbidden, request.version());
    refusal.body() = kRefusal;
    refusal.prepare_payload();
    http::write(ws.next_layer(), refusal, ec);
    return;
  }
  ws.accept(request, ec);
  if (ec) return;
  {
    std::lock_guard lock(mu_);
    targets_.push_back(std::string(request.target()));
  }
  if (mode_ == Mode::kMute) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopping_; });
    return;
  }
  for (;;) {
    beast::flat_buffer message;
    ws.read(message, ec);
    if (ec) return;
    const bool got_binary = ws.got_binary();
    std::string data = beast::buffers_to_string(message.data());
    {
      std::lock_guard lock(mu_);
      received_.push_back(data);
    }
    if (data == kAskClose && !closed_once_.exchange(true)) {
      ws.next_layer().shutdown(tcp::socket::shutdown_both, ec);
      return;
    }
    if (data == kAskText) {
      ws.text(true);
      ws.write(net::buffer(std::string("hello")), ec);
      if (ec) return;
    }
    ws.binary(got_binary);
    ws.write(net::buffer(data), ec);
    if (ec) return;
  }
}

}  // namespace rmb::test
