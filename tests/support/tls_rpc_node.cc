#include "tests/support/tls_rpc_node.h"

#include <utility>  // before asio's awaitable.hpp, which uses std::exchange (Boost 1.74)

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

namespace rmb::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct TlsRpcNode::Impl {
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::thread thread;

  asio::awaitable<void> serve(tcp::socket socket) {
    try {
      beast::websocket::stream<asio::ssl::stream<tcp::socket>> ws(std::move(socket), tls);
      co_await ws.next_layer().async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
      co_await ws.async_accept(asio::use_awaitable);
      ws.text(true);
      for (;;) {
        beast::flat_buffer buffer;
        co_await ws.async_read(buffer, asio::use_awaitable);
        const auto request = nlohmann::json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
        if (!request.is_object() || !request.contains("id")) continue;
        const std::string answer = nlohmann::json{{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", "ok"}}.dump();
        co_await ws.async_write(asio::buffer(answer), asio::use_awaitable);
      }
    } catch (const std::exception&) {
      // The client went away or refused the certificate: this connection is over.
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }
};

TlsRpcNode::TlsRpcNode(const std::string& cert_file, const std::string& key_file) : impl_(std::make_unique<Impl>()) {
  impl_->tls.use_certificate_chain_file(cert_file);
  impl_->tls.use_private_key_file(key_file, asio::ssl::context::pem);
  asio::co_spawn(
      impl_->io, [impl = impl_.get()] { return impl->accept_loop(); }, asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TlsRpcNode::~TlsRpcNode() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t TlsRpcNode::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string TlsRpcNode::url(const std::string& host) const {
  return "wss://" + host + ":" + std::to_string(port()) + "/";
}

}  // namespace rmb::test
