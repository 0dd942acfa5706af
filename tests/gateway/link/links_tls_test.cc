// wss:// links: rmb-relay serving TLS with a certificate from a throw-away CA made with
// the openssl CLI. Verification is always on: the CA has to be given (ca_file), and the
// certificate has to name the host of the URL.
#include <gtest/gtest.h>

#include <filesystem>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/strings/str_cat.h"
#include "core/util/clock.h"
#include "tests/gateway/link/links_fixture.h"
#include "tests/gateway/link/relay_helpers.h"
#include "tests/support/poll.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"
#include "tests/support/ws_client.h"

namespace rmb::gateway::link {
namespace {

using namespace std::chrono_literals;

class TlsLinksTest : public LinksTest {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("rmb-links-tls");
    // A CA, and a server certificate it signs that names "localhost" only.
    ASSERT_TRUE(test::make_ca(dir_, "ca"));
    ASSERT_TRUE(test::make_server_cert(dir_, "server", "ca"));
    // RelayProcess checks readiness over plain HTTP; a TLS relay is ready once it logs the
    // port it listens on. -d: it logs each handshake a client refused, which the tests count.
    std::vector<std::string> argv = {test::relay_binary(), "--listen",  "127.0.0.1:0",        "--tls-cert",
                                     dir_ + "/server.pem", "--tls-key", dir_ + "/server.key", "-d"};
    for (const auto& flag : relay_flags(dir_, twins_)) argv.push_back(flag);
    auto relay = test::WatchedProcess::spawn(argv);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);
    const auto listening = relay_->wait_for_match(test::relay_listening_line(), 20s);
    ASSERT_TRUE(listening) << relay_->output();
    port_ = static_cast<uint16_t>(std::stoul((*listening)[1]));
  }

  std::string url(const std::string& host) const { return absl::StrCat("wss://", host, ":", port_, "/"); }

  // TLS handshakes the relay saw fail so far (its debug line for each).
  size_t failed_handshakes() {
    const std::string output = relay_->output();
    size_t n = 0;
    for (size_t at = output.find(kFailedHandshake); at != std::string::npos;
         at = output.find(kFailedHandshake, at + 1)) {
      ++n;
    }
    return n;
  }
  static constexpr const char* kFailedHandshake = "tls handshake failed";

  std::string dir_;
  uint16_t port_ = 0;
  std::unique_ptr<test::WatchedProcess> relay_;
};

TEST_F(TlsLinksTest, ConnectsWhenTheCaIsGivenAndCarriesEnvelopes) {
  auto o = options({url("localhost")});
  o.ca_file = dir_ + "/ca.pem";
  start(o);
  ASSERT_TRUE(eventually([&] { return link_connected(0); })) << link_status(0).last_error;
  // An envelope ping (§5.3) comes back from the relay as a pong: both directions over TLS.
  rmb::Envelope ping;
  ping.set_uid(test::random_uid());
  ping.set_timestamp(core::unix_now());
  ping.set_expiration(40);
  ping.mutable_source()->set_twin(me().id);
  ping.mutable_ping();
  SendResult sent;
  links_->send(frame(serialize(ping)), in(10s), sent.callback());
  ASSERT_TRUE(sent.wait().value_or(absl::UnknownError("timeout")).ok());
  auto got = sink_.pop();
  ASSERT_TRUE(got.has_value());
  rmb::Envelope pong;
  ASSERT_TRUE(pong.ParseFromString(*got));
  EXPECT_TRUE(pong.has_pong());
  EXPECT_EQ(pong.uid(), ping.uid());
  EXPECT_EQ(pong.destination().twin(), me().id);
}

TEST_F(TlsLinksTest, TheSystemStoreStillCountsWhenACaFileIsGiven) {
  // The relay's CA is in the system store only (a stand-in: SSL_CERT_FILE / SSL_CERT_DIR);
  // --ca-file names another CA. A CA file that replaced the system store would refuse it.
  ASSERT_TRUE(test::make_ca(dir_, "other-ca"));
  std::filesystem::create_directory(dir_ + "/empty");
  test::FakeSystemTrustStore store(dir_ + "/ca.pem", dir_ + "/empty");
  auto o = options({url("localhost")});
  o.ca_file = dir_ + "/other-ca.pem";
  start(o);
  ASSERT_TRUE(eventually([&] { return link_connected(0); })) << link_status(0).last_error;
}

TEST_F(TlsLinksTest, UnknownCaFailsVerification) {
  start(options({url("localhost")}));
  ASSERT_TRUE(eventually([&] { return !link_status(0).last_error.empty(); }));
  const auto status = link_status(0);
  EXPECT_NE(status.last_error.find("certificate verify failed"), std::string::npos) << status.last_error;
  EXPECT_NE(status.state, LinkStatus::State::kConnected);
  // A few retries, each refused: the link never connects.
  const size_t refused = test::poll_until([&] { return failed_handshakes(); }, [](size_t n) { return n >= 3; }, 20s);
  EXPECT_GE(refused, 3u) << relay_->output();
  EXPECT_FALSE(links_->any_connected());
  EXPECT_EQ(link_status(0).connected_since, 0u);
}

TEST_F(TlsLinksTest, HostNameMustMatchTheCertificate) {
  // Trusted CA, but the certificate names "localhost", not 127.0.0.1.
  auto o = options({url("127.0.0.1")});
  o.ca_file = dir_ + "/ca.pem";
  start(o);
  ASSERT_TRUE(eventually([&] { return !link_status(0).last_error.empty(); }));
  const auto status = link_status(0);
  EXPECT_NE(status.last_error.find("certificate verify failed"), std::string::npos) << status.last_error;
  EXPECT_NE(status.last_error.find("mismatch"), std::string::npos) << status.last_error;
  EXPECT_FALSE(links_->any_connected());
}

}  // namespace
}  // namespace rmb::gateway::link
