#include "tests/support/http_client.h"

#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rmb::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

HttpResult http_request(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                        std::chrono::milliseconds timeout, const std::string& host) {
  HttpResult result;
  net::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, host);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code error;
  bool done = false;

  stream.expires_after(timeout);
  stream.async_connect(net::ip::tcp::endpoint(net::ip::make_address(host), port), [&](beast::error_code ec) {
    if (ec) {
      error = ec;
      done = true;
      return;
    }
    // Read while writing: a server may answer (and close) before taking the whole body,
    // e.g. when it exceeds its size limit.
    http::async_write(stream, req, [](beast::error_code, size_t) {});
    http::async_read(stream, buffer, parser, [&](beast::error_code rec, size_t) {
      error = rec;
      done = true;
      beast::error_code ignored;
      stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    });
  });
  io.run();
  if (!done || error) {
    result.error = done ? error.message() : "no answer";
    return result;
  }
  result.status = parser.get().result_int();
  result.body = parser.get().body();
  return result;
}

double prometheus_sample(const std::string& metrics_text, const std::string& sample) {
  std::istringstream in(metrics_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return 0;
}

}  // namespace rmb::test
