#include "relay/http_connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "core/obs/log.h"
#include "core/obs/log_throttle.h"
#include "core/obs/metrics_http.h"
#include "core/util/clock.h"
#include "relay/ws_connection.h"

namespace rmb::relay {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

template <class T>
struct IsTls : std::false_type {};
template <class T>
struct IsTls<beast::ssl_stream<T>> : std::true_type {};

// Waiting for a request (headers and body) or a TLS handshake; rmb-rs allows 600 s for
// headers, a bounded but shorter wait frees idle sockets sooner.
constexpr std::chrono::seconds kReadTimeout{60};
constexpr std::chrono::seconds kWriteTimeout{30};
// With --session-age-from-token: grace after the token's lifetime before the session must
// reconnect.
constexpr uint64_t kSessionAgeGrace = 60;

}  // namespace

template <class Stream>
HttpConnection<Stream>::HttpConnection(Stream&& stream, ServerContext& ctx) : stream_(std::move(stream)), ctx_(ctx) {}

template <class Stream>
void HttpConnection<Stream>::start() {
  if constexpr (IsTls<Stream>::value) {
    beast::get_lowest_layer(stream_).expires_after(kReadTimeout);
    stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) {
        core::log_debug("tls handshake failed: ", ec.message());
        return;
      }
      self->do_read();
    });
  } else {
    do_read();
  }
}

template <class Stream>
void HttpConnection<Stream>::do_read() {
  parser_.emplace();
  parser_->body_limit(ctx_.config.max_frame_size);
  beast::get_lowest_layer(stream_).expires_after(kReadTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpConnection::on_read, this->shared_from_this()));
}

template <class Stream>
void HttpConnection<Stream>::on_read(beast::error_code ec, size_t) {
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted) {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    return;
  }
  if (ec == http::error::body_limit) {
    ctx_.metrics.drops.with("oversize_body").inc();
    core::log_info("drop oversize_body: request body over ", ctx_.config.max_frame_size, " bytes");
    respond(http::status::bad_request, "bad request: body limit exceeded", "text/plain", true);
    return;
  }
  if (ec) {
    core::log_debug("http read: ", ec.message());
    respond(http::status::bad_request, core::cat("bad request: ", ec.message()), "text/plain", true);
    return;
  }
  handle();
}

template <class Stream>
void HttpConnection<Stream>::handle() {
  const auto& req = parser_->get();
  keep_alive_ = req.keep_alive();
  const std::string_view target(req.target().data(), req.target().size());
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);

  if (beast::websocket::is_upgrade(req)) {
    // §4.2: the JWT is the whole raw query string; the path is ignored.
    if (question == std::string_view::npos) {
      respond(http::status::bad_request, "missing jwt", "text/plain", true);
      return;
    }
    authenticate(target.substr(question + 1));
    return;
  }
  if (req.method() == http::verb::post && path == "/") {
    beast::error_code ec;
    const auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec && !ctx_.ip_limits.posts.allow(peer.address())) {
      // 5xx, not 429: a sending rmb-rs relay treats every 4xx as permanent ("destination
      // offline") and any other status as worth a retry, which is what a burst deserves.
      static core::LogThrottle throttle;
      ctx_.metrics.drops.with("ip_post_limit").inc();
      throttle.warn("refused POST / from ", peer.address().to_string(), ": over --ip-posts-per-second");
      respond(http::status::service_unavailable, "too many requests from this address, retry later");
      return;
    }
    auto frame = std::make_shared<const std::string>(std::move(parser_->get().body()));
    auto self = this->shared_from_this();
    ctx_.router.route_federated(std::move(frame), [self](unsigned status, std::string body) {
      net::dispatch(self->stream_.get_executor(), [self, status, body = std::move(body)]() mutable {
        self->respond(static_cast<http::status>(status), std::move(body));
      });
    });
    return;
  }
  if (req.method() == http::verb::get) {
    if (auto answer = core::metrics::metrics_answer(ctx_.metrics.registry, path)) {
      respond(static_cast<http::status>(answer->status), std::move(answer->body), answer->content_type);
      return;
    }
  }
  respond(http::status::not_found, "page not found");
}

template <class Stream>
void HttpConnection<Stream>::authenticate(std::string_view query) {
  auto parsed = core::parse_jwt(query);
  if (auto* error = std::get_if<core::JwtError>(&parsed)) {
    core::log_info("auth refused: ", error->message);
    respond(http::status::unauthorized, error->message, "text/plain", true);
    return;
  }
  auto jwt = std::make_shared<core::ParsedJwt>(std::move(std::get<core::ParsedJwt>(parsed)));
  // §4.3 order: expiry (step 4) before the twin lookup (step 5).
  if (core::unix_now() > jwt->claims.exp) {
    core::log_info("auth refused: twin ", jwt->claims.twin, ": jwt has expired");
    respond(http::status::unauthorized, "invalid jwt: jwt has expired", "text/plain", true);
    return;
  }
  auto self = this->shared_from_this();
  ctx_.directory.get_twin(jwt->claims.twin, [self, jwt](absl::StatusOr<std::optional<core::Twin>> twin) {
    // Directory backends may answer on their own thread.
    net::dispatch(self->stream_.get_executor(), [self, jwt, twin = std::move(twin)] { self->on_twin(*jwt, twin); });
  });
}

template <class Stream>
void HttpConnection<Stream>::on_twin(const core::ParsedJwt& jwt,
                                     const absl::StatusOr<std::optional<core::Twin>>& twin) {
  if (!twin.ok()) {
    core::log_warn("auth failed: twin ", jwt.claims.twin, ": ", twin.status().message());
    respond(http::status::internal_server_error, core::cat("failed to get twin: ", twin.status().message()),
            "text/plain", true);
    return;
  }
  if (!twin->has_value()) {
    core::log_info("auth refused: twin not found ", jwt.claims.twin);
    respond(http::status::unauthorized, core::cat("twin not found ", jwt.claims.twin), "text/plain", true);
    return;
  }
  // rmb-rs does not look at iat; --max-iat-ahead opts in to refusing implausible tokens.
  const uint64_t iat_leeway = ctx_.config.max_iat_ahead > 0 ? ctx_.config.max_iat_ahead : UINT64_MAX;
  if (auto error = core::verify_jwt(jwt, (*twin)->account, core::unix_now(), iat_leeway)) {
    core::log_info("auth refused: twin ", jwt.claims.twin, ": ", error->message);
    respond(http::status::unauthorized, error->message, "text/plain", true);
    return;
  }
  // rmb-rs checks the token at connect only: by default a session lives as long as its
  // connection. Either limit is opt-in; with both, the shorter applies.
  std::chrono::seconds age = ctx_.config.max_session_age;
  if (ctx_.config.session_age_from_token) {
    const uint64_t lifetime = jwt.claims.exp > jwt.claims.iat ? jwt.claims.exp - jwt.claims.iat : 0;
    const std::chrono::seconds from_token(lifetime + kSessionAgeGrace);
    if (age.count() == 0 || from_token < age) age = from_token;
  }
  upgrade(SessionId{jwt.claims.twin, jwt.claims.sid}, age);
}

template <class Stream>
void HttpConnection<Stream>::upgrade(SessionId id, std::chrono::seconds max_age) {
  // The WebSocket stream runs its own timeouts.
  beast::get_lowest_layer(stream_).expires_never();
  // Bytes the client sent right behind the request belong to the WebSocket stream.
  std::string early_bytes = beast::buffers_to_string(buffer_.data());
  if constexpr (IsTls<Stream>::value) {
    auto ws = std::make_shared<WsConnection<Stream>>(std::move(stream_), ctx_, std::move(id), max_age);
    ws->start(parser_->release(), std::move(early_bytes));
  } else {
    // Plain TCP: the session reads and writes the socket itself, without Beast's timeout
    // layer (it runs its own idle timer).
    auto ws = std::make_shared<WsConnection<TcpSocket>>(stream_.release_socket(), ctx_, std::move(id), max_age);
    ws->start(parser_->release(), std::move(early_bytes));
  }
}

template <class Stream>
void HttpConnection<Stream>::respond(http::status status, std::string body, std::string_view content_type, bool close) {
  const auto& req = parser_->get();
  response_ = std::make_shared<Response>(status, req.version());
  response_->set(http::field::server, "rmb-relay");
  response_->set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
  response_->body() = std::move(body);
  close = close || !keep_alive_;
  response_->keep_alive(!close);
  response_->prepare_payload();
  beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpConnection::on_write, this->shared_from_this(), close));
}

template <class Stream>
void HttpConnection<Stream>::on_write(bool close, beast::error_code ec, size_t) {
  if (ec) {
    core::log_debug("http write: ", ec.message());
    return;
  }
  if (close) {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  do_read();
}

template class HttpConnection<TcpStream>;
template class HttpConnection<TlsStream>;

}  // namespace rmb::relay
