#include "tests/support/ws_client.h"

#include <sodium.h>

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"

namespace rmb::test {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

std::string random_uid() {
  uint8_t b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
                         b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

struct WsClient::Net {
  net::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  beast::error_code read_error;
};

WsClient::WsClient() : net_(std::make_unique<Net>()) {}

WsClient::~WsClient() {
  if (!closed_) {
    beast::error_code ignored;
    beast::get_lowest_layer(net_->ws).socket().close(ignored);
  }
}

absl::Status WsClient::run_until(bool& flag, Millis timeout) {
  return run_until([&flag] { return flag; }, timeout);
}

absl::Status WsClient::run_until(const std::function<bool()>& done, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  net_->io.restart();
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return absl::DeadlineExceededError("timed out");
    net_->io.run_one_for(deadline - now);
    if (net_->io.stopped()) net_->io.restart();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WsClient>> WsClient::connect_target(uint16_t port, const std::string& target,
                                                                   UpgradeRefusal* refusal) {
  std::unique_ptr<WsClient> client(new WsClient());
  auto& tcp = beast::get_lowest_layer(client->net_->ws);
  bool done = false;
  beast::error_code error;
  websocket::response_type response;
  tcp.expires_after(kDefaultTimeout);
  tcp.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
    if (ec) {
      error = ec;
      done = true;
      return;
    }
    client->net_->ws.async_handshake(response, absl::StrCat("127.0.0.1:", port), target, [&](beast::error_code hec) {
      error = hec;
      done = true;
    });
  });
  if (auto s = client->run_until(done, kDefaultTimeout + Millis(1000)); !s.ok()) return s;
  if (error) {
    if (refusal) {
      refusal->status = response.result_int();
      refusal->body = response.body();
      refusal->error = error.message();
    }
    return absl::UnavailableError(
        absl::StrCat("upgrade refused: ", response.result_int(), " ", response.body(), " (", error.message(), ")"));
  }
  tcp.expires_never();
  client->net_->ws.binary(true);
  return client;
}

UpgradeRefusal WsClient::refusal_for(uint16_t port, const std::string& target) {
  UpgradeRefusal refusal;
  auto client = connect_target(port, target, &refusal);
  if (client.ok()) refusal.status = 101;
  return refusal;
}

absl::StatusOr<std::unique_ptr<WsClient>> WsClient::connect(uint16_t port, const TestTwin& twin,
                                                            std::optional<std::string> sid, uint64_t ttl) {
  const std::string token = core::mint_jwt(*twin.signer, twin.id, sid, core::unix_now(), ttl);
  auto client = connect_target(port, "/?" + token);
  if (!client.ok()) return client.status();
  (*client)->signer_ = twin.signer.get();
  (*client)->twin_ = twin.id;
  (*client)->sid_ = std::move(sid);
  return client;
}

rmb::Envelope WsClient::request_to(uint32_t twin, const std::optional<std::string>& sid, const std::string& command,
                                   const std::string& payload) const {
  rmb::Envelope env;
  env.set_uid(random_uid());
  env.set_timestamp(core::unix_now());
  env.set_expiration(300);
  env.mutable_source()->set_twin(twin_);
  if (sid_) env.mutable_source()->set_connection(*sid_);
  env.mutable_destination()->set_twin(twin);
  if (sid) env.mutable_destination()->set_connection(*sid);
  env.mutable_request()->set_command(command);
  env.set_plain(payload);
  return env;
}

rmb::Envelope WsClient::response_to(const rmb::Envelope& request, const std::string& payload) const {
  rmb::Envelope env;
  env.set_uid(request.uid());
  env.set_timestamp(core::unix_now());
  env.set_expiration(300);
  env.mutable_source()->set_twin(twin_);
  if (sid_) env.mutable_source()->set_connection(*sid_);
  *env.mutable_destination() = request.source();
  env.mutable_response();
  env.set_plain(payload);
  return env;
}

absl::StatusOr<std::string> WsClient::send(rmb::Envelope envelope, bool sign) {
  if (sign && signer_) core::sign_envelope(envelope, *signer_);
  std::string bytes = envelope.SerializeAsString();
  if (auto s = send_binary(bytes); !s.ok()) return s;
  return bytes;
}

namespace {

absl::Status write_message(websocket::stream<beast::tcp_stream>& ws, bool binary, const std::string& data,
                           const std::function<absl::Status(bool&)>& run) {
  // Heap state: after a timeout the handler may still run during a later call.
  struct State {
    bool done = false;
    beast::error_code error;
    std::string data;
  };
  auto state = std::make_shared<State>();
  state->data = data;
  ws.binary(binary);
  ws.async_write(net::buffer(state->data), [state](beast::error_code ec, size_t) {
    state->error = ec;
    state->done = true;
  });
  if (auto s = run(state->done); !s.ok()) return s;
  if (state->error) return absl::UnavailableError(absl::StrCat("write failed: ", state->error.message()));
  return absl::OkStatus();
}

}  // namespace

absl::Status WsClient::send_binary(const std::string& bytes) {
  if (closed_) return absl::UnavailableError("closed");
  return write_message(net_->ws, true, bytes, [this](bool& done) { return run_until(done, kDefaultTimeout); });
}

absl::Status WsClient::send_text(const std::string& text) {
  if (closed_) return absl::UnavailableError("closed");
  return write_message(net_->ws, false, text, [this](bool& done) { return run_until(done, kDefaultTimeout); });
}

absl::Status WsClient::send_fragmented(const std::string& bytes, size_t pieces) {
  if (closed_) return absl::UnavailableError("closed");
  net_->ws.binary(true);
  const size_t step = (bytes.size() + pieces - 1) / pieces;
  for (size_t at = 0; at < bytes.size(); at += step) {
    const bool fin = at + step >= bytes.size();
    bool done = false;
    beast::error_code error;
    net_->ws.async_write_some(fin, net::buffer(bytes.data() + at, std::min(step, bytes.size() - at)),
                              [&](beast::error_code ec, size_t) {
                                error = ec;
                                done = true;
                              });
    if (auto s = run_until(done, kDefaultTimeout); !s.ok()) return s;
    if (error) return absl::UnavailableError(absl::StrCat("write failed: ", error.message()));
  }
  return absl::OkStatus();
}

absl::Status WsClient::send_raw_bytes(const std::string& bytes) {
  beast::error_code ec;
  net::write(net_->ws.next_layer().socket(), net::buffer(bytes), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("write failed: ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> WsClient::ping(const std::string& payload, Millis timeout) {
  if (closed_) return absl::UnavailableError("closed");
  // Beast reports pongs to the control callback while a read is pending.
  auto pong = std::make_shared<std::optional<std::string>>();
  net_->ws.control_callback([pong](websocket::frame_type kind, beast::string_view data) {
    if (kind == websocket::frame_type::pong) *pong = std::string(data.data(), data.size());
  });
  // Heap state: after a timeout the handler may still run during a later call.
  auto sent = std::make_shared<bool>(false);
  net_->ws.async_ping(websocket::ping_data(payload.c_str()), [sent](beast::error_code) { *sent = true; });
  start_read();
  // A timeout is reported below as "no pong", whatever run_until says.
  (void)run_until([&] { return pong->has_value() || read_done_; }, timeout);
  net_->ws.control_callback();
  if (!*sent || !pong->has_value()) return absl::DeadlineExceededError("no pong");
  return **pong;
}

void WsClient::start_read() {
  if (read_pending_ || read_done_) return;
  read_pending_ = true;
  net_->ws.async_read(net_->buffer, [this](beast::error_code ec, size_t) {
    read_pending_ = false;
    read_done_ = true;
    net_->read_error = ec;
  });
}

absl::StatusOr<std::string> WsClient::receive_raw(Millis timeout) {
  if (closed_) return absl::UnavailableError(absl::StrCat("closed: ", close_code_, " ", close_reason_));
  start_read();
  if (auto s = run_until(read_done_, timeout); !s.ok()) return s;
  read_done_ = false;
  if (net_->read_error) {
    closed_ = true;
    close_code_ = static_cast<uint16_t>(net_->ws.reason().code);
    close_reason_ = std::string(net_->ws.reason().reason.data(), net_->ws.reason().reason.size());
    return absl::UnavailableError(
        absl::StrCat("closed: ", close_code_, " ", close_reason_, " (", net_->read_error.message(), ")"));
  }
  last_text_ = !net_->ws.got_binary();
  std::string data = beast::buffers_to_string(net_->buffer.data());
  net_->buffer.consume(net_->buffer.size());
  return data;
}

absl::StatusOr<rmb::Envelope> WsClient::receive(Millis timeout) {
  auto raw = receive_raw(timeout);
  if (!raw.ok()) return raw.status();
  rmb::Envelope env;
  if (!env.ParseFromString(*raw)) return absl::DataLossError("received bytes are not an Envelope");
  return env;
}

absl::StatusOr<std::string> WsClient::wait_closed(Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return absl::DeadlineExceededError("still open");
    auto r = receive_raw(std::chrono::duration_cast<Millis>(deadline - now));
    if (!r.ok() && absl::IsDeadlineExceeded(r.status())) return r.status();
  }
  return close_reason_;
}

void WsClient::close() {
  if (closed_) return;
  bool done = false;
  net_->ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  (void)run_until(done, Millis(2000));
  closed_ = true;
}

}  // namespace rmb::test

namespace rmb::test {

void WsClient::limit_receive_buffer(int bytes) {
  net_->ws.next_layer().socket().set_option(boost::asio::socket_base::receive_buffer_size(bytes));
}

}  // namespace rmb::test
