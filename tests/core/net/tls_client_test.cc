// core/net/tls_client: the one TLS client policy. The "system" trust store is a stand-in
// (SSL_CERT_FILE / SSL_CERT_DIR) holding one CA, so the tests can tell "the CA file is
// added to the system store" from "the CA file replaces it".
#include "core/net/tls_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "tests/support/test_ca.h"

namespace rmb::core {
namespace {

namespace asio = boost::asio;

// "" when the handshake with 127.0.0.1:port, checked against `host`, succeeds.
std::string handshake(asio::ssl::context& ctx, uint16_t port, const std::string& host) {
  asio::io_context io;
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, ctx);
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  if (auto prepared = prepare_tls_stream(stream.native_handle(), host); !prepared.ok()) {
    return std::string(prepared.message());
  }
  boost::system::error_code ec;
  stream.handshake(asio::ssl::stream_base::client, ec);
  return ec ? describe_tls_failure(stream.native_handle(), ec) : "";
}

class TlsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // by-extra names 127.0.0.1 too, for the host-or-address test.
    auto world = test::CaFileWorld::make("rmb-tls-client", "DNS:localhost,IP:127.0.0.1");
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = *std::move(world);
  }

  std::unique_ptr<test::CaFileWorld> world_;
};

TEST_F(TlsClientTest, TheCaFileIsAddedToTheSystemStoreNotInsteadOfIt) {
  auto ctx = make_tls_client_context(world_->extra_ca());
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  EXPECT_EQ(handshake(**ctx, world_->by_extra().port(), "localhost"), "");
  EXPECT_EQ(handshake(**ctx, world_->by_system().port(), "localhost"), "");
  const std::string refused = handshake(**ctx, world_->by_stranger().port(), "localhost");
  EXPECT_NE(refused.find("certificate verify failed"), std::string::npos) << refused;
}

TEST_F(TlsClientTest, WithoutACaFileOnlyTheSystemStoreIsTrusted) {
  auto ctx = make_tls_client_context("");
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  EXPECT_EQ(handshake(**ctx, world_->by_system().port(), "localhost"), "");
  const std::string refused = handshake(**ctx, world_->by_extra().port(), "localhost");
  EXPECT_NE(refused.find("certificate verify failed"), std::string::npos) << refused;
}

TEST_F(TlsClientTest, TheCertificateMustNameTheHostOrAddress) {
  auto ctx = make_tls_client_context(world_->extra_ca());
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  // by-system names localhost only; by-extra names localhost and 127.0.0.1.
  const std::string mismatch = handshake(**ctx, world_->by_system().port(), "127.0.0.1");
  EXPECT_NE(mismatch.find("mismatch"), std::string::npos) << mismatch;
  const std::string other_name = handshake(**ctx, world_->by_system().port(), "relay.example");
  EXPECT_NE(other_name.find("mismatch"), std::string::npos) << other_name;
  EXPECT_EQ(handshake(**ctx, world_->by_extra().port(), "127.0.0.1"), "");
}

TEST_F(TlsClientTest, AnUnreadableCaFileIsAnError) {
  auto ctx = make_tls_client_context(world_->file("missing.pem"));
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ctx.status().message().find("cannot load CA file '" + world_->file("missing.pem") + "'"), std::string::npos)
      << ctx.status();
}

}  // namespace
}  // namespace rmb::core
