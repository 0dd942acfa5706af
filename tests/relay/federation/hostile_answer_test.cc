// The real rmb-relay federating to a hostile peer relay: a socket on 127.0.0.1 that answers
// every POST / with an HTTP header announcing a 7.7 TB body, followed at once by a few body
// bytes (fuzz_federation_answer's finding: Boost 1.74's parser, reading header and body in
// one go, reserved the announced size before enforcing the limit: std::bad_alloc, and the
// envelope was lost with its federation job). The relay must refuse that answer as a
// failure of that domain (logged, counted, the envelope retried and finally reported to its
// sender), stay up, and federate the next envelope normally.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "tests/support/http_client.h"
#include "tests/support/poll.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"
#include "tests/support/ws_client.h"

namespace rmb::relay {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

// fuzz/corpus/fuzz_federation_answer/content-length-7.7tb without its first byte (the
// harness's piece size): a 400 announcing 7777777777784 bytes, and some of them.
const std::string kHostileAnswer =
    "HTTP/1.1 400 Bad Reqlain\r\ncontent-length:7777777777784\r\n\r\n"
    "d requ\xff\xff\x8d\x8d\x8d\x8d\x8d\xff\x65\xf3\xff"
    "7784\r\n\r\nd requ\xff\xff\x8d\x8d\x8d\x8d\x8d\xff\x65\xf3\xff!t";

// Reads each request on each connection and answers it with kHostileAnswer, in one write
// so that header and body bytes reach the relay together.
class HostilePeer {
 public:
  HostilePeer() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~HostilePeer() {
    io_.stop();
    thread_.join();
  }
  std::string domain() const { return "127.0.0.1:" + std::to_string(port_); }
  size_t posts() const { return posts_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      co_await http::async_read(socket, buffer, request, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++posts_;
      co_await asio::async_write(socket, asio::buffer(kHostileAnswer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<size_t> posts_{0};
  std::thread thread_;
};

class HostileAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("relayfed-hostile");
    port_a_ = test::free_port();
    port_b_ = test::free_port();
    domain_a_ = "127.0.0.1:" + std::to_string(port_a_);
    domain_b_ = "127.0.0.1:" + std::to_string(port_b_);
    twins_ = test::make_twins(3, 1);
    twins_[0].relays = {domain_a_};                     // 1: at A
    twins_[1].relays = {hostile_.domain()};             // 2: only at the hostile peer
    twins_[2].relays = {hostile_.domain(), domain_b_};  // 3: the hostile peer and B
    ASSERT_TRUE(test::write_directory(dir_ + "/twins.json", twins_).ok());
  }
  std::unique_ptr<test::RelayProcess> start_relay(uint16_t port, const std::string& domain) {
    auto relay = test::RelayProcess::start_on(port, {"--threads", "2", "--directory", dir_ + "/twins.json", "--domain",
                                                     domain, "--federation-scheme", "http"});
    EXPECT_TRUE(relay.ok()) << relay.status();
    return relay.ok() ? std::move(*relay) : nullptr;
  }
  std::unique_ptr<test::WsClient> connect(uint16_t port, const test::TestTwin& twin) {
    auto c = test::WsClient::connect(port, twin);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }
  double metric(uint16_t port, const std::string& sample) {
    return test::prometheus_sample(test::http_get(port, "/metrics").body, sample);
  }

  HostilePeer hostile_;
  std::string dir_;
  uint16_t port_a_ = 0, port_b_ = 0;
  std::string domain_a_, domain_b_;
  std::vector<test::TestTwin> twins_;
};

TEST_F(HostileAnswerTest, RefusedAsAFailedPostAndTheNextEnvelopeIsFederated) {
  auto a = start_relay(port_a_, domain_a_);
  auto b = start_relay(port_b_, domain_b_);
  ASSERT_TRUE(a && b);
  auto t1 = connect(port_a_, twins_[0]);
  auto t3 = connect(port_b_, twins_[2]);
  ASSERT_TRUE(t1 && t3);

  // 1 -> 2, whose only relay answers with the 7.7 TB header: every pass fails (not a 4xx
  // rejection: the 400 is not believed), and at expiry the sender hears of it.
  auto request = t1->request_to(2, std::nullopt, "test.echo", "to the hostile relay");
  request.set_expiration(3);
  ASSERT_TRUE(t1->send(request).ok());
  auto error = t1->receive(20000ms);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_EQ(error->uid(), request.uid());
  ASSERT_TRUE(error->has_error()) << error->DebugString();
  EXPECT_EQ(error->error().message(), "message has expired");
  EXPECT_GE(hostile_.posts(), 3u);
  EXPECT_GE(metric(port_a_, "federation_message_error{relay=\"" + hostile_.domain() + "\"}"), 3.0);
  EXPECT_NE(a->output().find("answer refused: HTTP 400 with content-length 7777777777784, over the 65536-byte limit"),
            std::string::npos)
      << a->output();
  EXPECT_TRUE(a->process().running());

  // 1 -> 3 (the hostile peer and B): delivered at B, byte-identical, by the same relay.
  for (int i = 0; i < 3; ++i) {
    auto sent = t1->send(t1->request_to(3, std::nullopt, "test.echo", "after the hostile answer"));
    ASSERT_TRUE(sent.ok()) << sent.status();
    auto got = t3->receive_raw(10000ms);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, *sent);
  }
  EXPECT_TRUE(a->process().running());
  EXPECT_EQ(a->terminate(), 0);
}

}  // namespace
}  // namespace rmb::relay
