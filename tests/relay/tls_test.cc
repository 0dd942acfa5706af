// rmb-relay with --tls-cert/--tls-key end to end: wss:// sessions authenticate, route
// to each other and get pongs, through a certificate the client verifies (made by the
// openssl CLI here, trusted as its own CA). Also the coalesced write path under TLS: a
// burst of frames of sizes around the WebSocket length-encoding limits and beyond one TLS
// record arrives complete, byte-identical and in order.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "core/protocol/envelope/signing.h"
#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"
#include "rmb/types.pb.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"
#include "tests/support/ws_client.h"

namespace rmb::relay {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kTimeout{10};

// Runs `io` until `done` or the deadline; on timeout the socket is cut so that the
// pending operation completes (with an error) before the caller's state goes away.
template <class Lowest>
beast::error_code run_until(net::io_context& io, bool& done, beast::error_code& result, Lowest& lowest) {
  io.restart();
  const auto deadline = Clock::now() + kTimeout;
  while (!done && Clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(100));
  if (!done) {
    lowest.close();
    io.restart();
    while (!done) io.run_one();
    return net::error::timed_out;
  }
  return result;
}

// A minimal wss:// twin session.
class WssClient {
 public:
  WssClient(ssl::context& tls) : ws_(io_, tls) {}

  beast::error_code connect(uint16_t port, const std::string& target) {
    bool done = false;
    beast::error_code result;
    auto& lowest = beast::get_lowest_layer(ws_);
    lowest.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
      result = ec;
      done = true;
    });
    if (auto ec = run_until(io_, done, result, lowest)) return ec;
    // The certificate names "localhost"; check it (SNI + host name verification).
    SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), "localhost");
    ws_.next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
    done = false;
    ws_.next_layer().async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
      result = ec;
      done = true;
    });
    if (auto ec = run_until(io_, done, result, lowest)) return ec;
    done = false;
    ws_.async_handshake("localhost", target, [&](beast::error_code ec) {
      result = ec;
      done = true;
    });
    if (auto ec = run_until(io_, done, result, lowest)) return ec;
    ws_.binary(true);
    ws_.read_message_max(4 << 20);
    return {};
  }

  beast::error_code send(const std::string& bytes) {
    bool done = false;
    beast::error_code result;
    ws_.async_write(net::buffer(bytes), [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    return run_until(io_, done, result, beast::get_lowest_layer(ws_));
  }

  std::optional<std::string> receive() {
    bool done = false;
    beast::error_code result;
    buffer_.clear();
    ws_.async_read(buffer_, [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    if (run_until(io_, done, result, beast::get_lowest_layer(ws_))) return std::nullopt;
    return beast::buffers_to_string(buffer_.data());
  }

 private:
  net::io_context io_;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
};

class RelayTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("rmb-relay-tls");
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    twins_ = test::make_twins(2, 1, {"relay.test"});
    ASSERT_TRUE(test::write_directory(dir_ + "/twins.json", twins_).ok());
    auto relay =
        test::WatchedProcess::spawn({test::relay_binary(), "--listen", "127.0.0.1:0", "--tls-cert", dir_ + "/cert.pem",
                                     "--tls-key", dir_ + "/key.pem", "--directory", dir_ + "/twins.json", "--domain",
                                     "relay.test", "--no-federation", "--threads", "2", "--mailbox", "memory"});
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);
    // The port it bound, from its log (RelayProcess reads it the same way, over plain HTTP).
    const auto listening = relay_->wait_for_match(test::relay_listening_line(), std::chrono::seconds(20));
    ASSERT_TRUE(listening) << relay_->output();
    port_ = static_cast<uint16_t>(std::stoul((*listening)[1]));
    tls_.set_verify_mode(ssl::verify_peer);
    tls_.load_verify_file(dir_ + "/cert.pem");
  }

  // Twin `id`'s session over wss://, retried until the relay listens.
  std::unique_ptr<WssClient> connect(uint32_t id) {
    const auto& twin = twins_.at(id - 1);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    beast::error_code last;
    while (Clock::now() < deadline && relay_->process().running()) {
      auto client = std::make_unique<WssClient>(tls_);
      const std::string token = core::mint_jwt(*twin.signer, twin.id, std::nullopt, core::unix_now(), 300);
      last = client->connect(port_, "/?" + token);
      if (!last) return client;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no wss session for twin " << id << ": " << last.message();
    return nullptr;
  }

  std::string signed_request(uint32_t from, uint32_t to, const std::string& payload) {
    rmb::Envelope env;
    env.set_uid(test::random_uid());
    env.set_timestamp(core::unix_now());
    env.set_expiration(300);
    env.mutable_source()->set_twin(from);
    env.mutable_destination()->set_twin(to);
    env.mutable_request()->set_command("test.tls");
    env.set_plain(payload);
    core::sign_envelope(env, *twins_.at(from - 1).signer);
    return env.SerializeAsString();
  }

  std::string dir_;
  uint16_t port_ = 0;
  std::vector<test::TestTwin> twins_;
  std::unique_ptr<test::WatchedProcess> relay_;
  ssl::context tls_{ssl::context::tls_client};
};

TEST_F(RelayTlsTest, WssSessionsRouteAndPong) {
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);

  const std::string request = signed_request(1, 2, "over tls");
  ASSERT_FALSE(a->send(request));
  auto got = b->receive();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, request);

  rmb::Envelope ping;
  ping.set_uid(test::random_uid());
  ping.set_timestamp(core::unix_now());
  ping.set_expiration(300);
  ping.mutable_source()->set_twin(2);
  ping.mutable_destination()->set_twin(2);
  ping.mutable_ping();
  ASSERT_FALSE(b->send(ping.SerializeAsString()));
  auto pong = b->receive();
  ASSERT_TRUE(pong.has_value());
  rmb::Envelope parsed;
  ASSERT_TRUE(parsed.ParseFromString(*pong));
  EXPECT_TRUE(parsed.has_pong());
  EXPECT_EQ(parsed.uid(), ping.uid());

  EXPECT_EQ(relay_->stop(SIGTERM), 0);
}

TEST_F(RelayTlsTest, BurstOfMixedSizesArrivesInOrder) {
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  // Payload sizes put the frames on both sides of the 7-bit / 16-bit length limits (126,
  // 65536) and past a TLS record (16 KiB) and the copy limit of the write queue.
  const std::vector<size_t> sizes = {0, 1, 60, 200, 1000, 16000, 17000, 65400, 65600, 70000, 300000, 5, 9};
  std::vector<std::string> sent;
  for (int round = 0; round < 4; ++round) {
    for (size_t size : sizes) {
      sent.push_back(signed_request(1, 2, std::string(size, static_cast<char>('a' + round))));
      ASSERT_FALSE(a->send(sent.back()));
    }
  }
  for (size_t i = 0; i < sent.size(); ++i) {
    auto got = b->receive();
    ASSERT_TRUE(got.has_value()) << "frame " << i;
    EXPECT_EQ(*got, sent[i]) << "frame " << i;
  }
}

TEST_F(RelayTlsTest, PlainWebSocketIsNotServed) {
  auto a = connect(1);  // the relay is up
  ASSERT_TRUE(a);
  const std::string token = core::mint_jwt(*twins_[1].signer, 2, std::nullopt, core::unix_now(), 300);
  auto plain = test::WsClient::connect_target(port_, "/?" + token);
  EXPECT_FALSE(plain.ok());
}

}  // namespace
}  // namespace rmb::relay
