#include "bench/relay/net_util.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"

namespace rmb::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

absl::StatusOr<uint16_t> free_loopback_port() {
  asio::io_context ioc;
  boost::system::error_code ec;
  tcp::acceptor acceptor(ioc);
  acceptor.open(tcp::v4(), ec);
  if (!ec) acceptor.bind({asio::ip::address_v4::loopback(), 0}, ec);
  if (ec) return absl::InternalError(absl::StrCat("no free port: ", ec.message()));
  return acceptor.local_endpoint().port();
}

absl::StatusOr<int> http_get_status(uint16_t port, const std::string& target, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, absl::StrCat("127.0.0.1:", port));
  http::response<http::string_body> res;
  boost::system::error_code result = asio::error::timed_out;
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), [&](boost::system::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    http::async_write(stream, req, [&](boost::system::error_code ec, size_t) {
      if (ec) {
        result = ec;
        return;
      }
      http::async_read(stream, buffer, res, [&](boost::system::error_code ec, size_t) { result = ec; });
    });
  });
  ioc.run_for(timeout + std::chrono::milliseconds(100));
  if (result) return absl::UnavailableError(absl::StrCat("GET ", target, ": ", result.message()));
  return static_cast<int>(res.result_int());
}

absl::Status expect_greeting(uint16_t port, const std::string& prefix, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  std::string line;
  boost::system::error_code result = asio::error::timed_out;
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), [&](boost::system::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    asio::async_read_until(stream, asio::dynamic_buffer(line), "\r\n",
                           [&](boost::system::error_code ec, size_t) { result = ec; });
  });
  ioc.run_for(timeout + std::chrono::milliseconds(100));
  if (result) return absl::UnavailableError(absl::StrCat("no greeting: ", result.message()));
  if (line.rfind(prefix, 0) != 0) {
    return absl::UnavailableError(absl::StrCat("unexpected greeting: ", line.substr(0, 80)));
  }
  return absl::OkStatus();
}

}  // namespace rmb::bench
