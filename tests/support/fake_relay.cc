#include "tests/support/fake_relay.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rmb::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct FakeRelay::Impl {
  template <typename Stream>
  static asio::awaitable<void> serve(FakeRelay* self, Stream& stream) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      {
        std::lock_guard lock(self->mu_);
        self->bodies_.push_back(req.body());
      }
      int status = self->status_;
      if (status == 0) {  // a relay that accepted the connection and hangs
        asio::steady_timer forever(co_await asio::this_coro::executor);
        forever.expires_after(std::chrono::hours(1));
        co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
      res.keep_alive(req.keep_alive());
      if (status == 404) res.body() = "destination offline";
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !res.keep_alive()) co_return;
    }
  }

  static asio::awaitable<void> session(FakeRelay* self, tcp::socket socket) {
    ++self->connections_;
    if (self->tls_) {
      asio::ssl::stream<tcp::socket> tls(std::move(socket), *self->tls_);
      boost::system::error_code ec;
      co_await tls.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      co_await serve(self, tls);
    } else {
      co_await serve(self, socket);
    }
  }

  static asio::awaitable<void> listen(FakeRelay* self) {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await self->acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(self->io_, session(self, std::move(socket)), asio::detached);
    }
  }
};

FakeRelay::FakeRelay(int status, std::string cert_file, std::string key_file)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), status_(status) {
  port_ = acceptor_.local_endpoint().port();
  if (!cert_file.empty()) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->use_certificate_chain_file(cert_file);
    tls_->use_private_key_file(key_file, asio::ssl::context::pem);
  }
  asio::co_spawn(io_, Impl::listen(this), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

FakeRelay::~FakeRelay() {
  io_.stop();
  thread_.join();
}

std::vector<std::string> FakeRelay::bodies() const {
  std::lock_guard lock(mu_);
  return bodies_;
}

size_t FakeRelay::requests() const {
  std::lock_guard lock(mu_);
  return bodies_.size();
}

}  // namespace rmb::test
