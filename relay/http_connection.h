#pragma once
// One accepted HTTP/1.1 connection (PROTOCOL.md §7.1): WebSocket upgrade on any path
// (authenticated per §4.3, then handed to WsConnection), POST / federation intake (§6.3),
// GET /metrics, GET /healthz; anything else 404 "page not found". Keep-alive between
// plain HTTP requests. Runs on the connection's strand.
#include <memory>
#include <optional>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/protocol/jwt/jwt.h"
#include "relay/net_types.h"
#include "relay/server_context.h"

namespace rmb::relay {

template <class Stream>
class HttpConnection final : public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  HttpConnection(Stream&& stream, ServerContext& ctx);
  // TLS streams run the server handshake first.
  void start();

 private:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void handle();
  void authenticate(std::string_view query);
  void on_twin(const core::ParsedJwt& jwt, const absl::StatusOr<std::optional<core::Twin>>& twin);
  void upgrade(SessionId id, std::chrono::seconds max_age);
  void respond(boost::beast::http::status status, std::string body, std::string_view content_type = "text/plain",
               bool close = false);
  void on_write(bool close, boost::beast::error_code ec, size_t bytes);

  Stream stream_;
  ServerContext& ctx_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  bool keep_alive_ = false;
};

}  // namespace rmb::relay
