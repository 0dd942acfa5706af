// HttpFederator against real HTTP(S) servers on 127.0.0.1 (§6.1): 202 success, 4xx
// permanent failure without downvote, 500 / refused / hanging relays downvoted with
// fall-through to the next domain, retry until expiry, queue bound, keep-alive, TLS.
#include "relay/federation/http_federator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "tests/support/fake_relay.h"
#include "tests/support/mailbox_sink.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"

namespace rmb::relay {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::FakeRelay;
using test::frame_of;
using test::make_envelope;

struct Failure {
  std::string uid;
  std::string reason;
};

class FederationTest : public ::testing::Test {
 protected:
  FederationTest() : work_(io_.get_executor()) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FederationTest() override {
    federator_.reset();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  HttpFederator& federator(FederationOptions opt = {}) {
    opt.scheme = opt.scheme == "https" && !https_ ? "http" : opt.scheme;
    federator_ = std::make_unique<HttpFederator>(io_, opt, ranker_, [this](const rmb::Envelope& e, std::string r) {
      std::lock_guard lock(mu_);
      failures_.push_back({e.uid(), std::move(r)});
    });
    return *federator_;
  }
  static FederationOptions fast() {
    FederationOptions opt;
    opt.scheme = "http";
    opt.connect_timeout = 500ms;
    opt.request_timeout = 500ms;
    opt.retry_min = 100ms;
    opt.retry_max = 200ms;
    return opt;
  }
  std::vector<Failure> failures() {
    std::lock_guard lock(mu_);
    return failures_;
  }
  void forward(const rmb::Envelope& e, std::set<std::string> domains) {
    federator_->forward(frame_of(e), e, std::move(domains));
  }
  bool settled() { return federator_->stats().pending == 0; }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  Ranker ranker_;
  bool https_ = false;
  std::unique_ptr<HttpFederator> federator_;
  std::mutex mu_;
  std::vector<Failure> failures_;
};

TEST_F(FederationTest, AcceptedPostsTheRawBytesUnchanged) {
  FakeRelay remote(202);
  auto& fed = federator(fast());
  auto e = make_envelope("ok-1", 1, 2);
  forward(e, {remote.domain()});
  ASSERT_TRUE(eventually([&] { return settled() && remote.requests() == 1; }));
  EXPECT_EQ(remote.bodies()[0], e.SerializeAsString());
  EXPECT_TRUE(failures().empty());
  auto s = fed.stats();
  EXPECT_EQ(s.per_relay[remote.domain()].success, 1u);
  EXPECT_EQ(s.per_relay[remote.domain()].error, 0u);
  // The relay renders these counters as federation_message_success/error{relay} (relay/server.cc);
  // relay_e2e_test and backends_test read them from /metrics.
}

TEST_F(FederationTest, KeepsTheConnectionAliveBetweenPosts) {
  FakeRelay remote(202);
  federator(fast());
  for (int i = 0; i < 5; ++i) {
    forward(make_envelope("ka-" + std::to_string(i), 1, 2), {remote.domain()});
    ASSERT_TRUE(eventually([&] { return remote.requests() == size_t(i + 1) && settled(); }));
  }
  EXPECT_EQ(remote.connections(), 1u);
}

TEST_F(FederationTest, FourXxFailsFastWithoutDownvote) {
  FakeRelay remote(404);
  FakeRelay other(202);
  auto& fed = federator(fast());
  ranker_.downvote(other.domain());  // so the 404 relay is tried first
  forward(make_envelope("rej", 1, 2), {remote.domain(), other.domain()});
  ASSERT_TRUE(eventually([&] { return failures().size() == 1 && settled(); }));
  EXPECT_EQ(failures()[0].uid, "rej");
  EXPECT_EQ(failures()[0].reason, "remote relay rejected permanently: destination offline");
  EXPECT_EQ(remote.requests(), 1u);
  EXPECT_EQ(other.requests(), 0u);  // stopped at once
  EXPECT_DOUBLE_EQ(ranker_.failure_rate(remote.domain()), 0.0);
  EXPECT_EQ(fed.stats().rejected, 1u);
}

TEST_F(FederationTest, ServerErrorDownvotesAndFallsThroughToTheNextDomain) {
  FakeRelay broken(500);
  FakeRelay good(202);
  auto& fed = federator(fast());
  ranker_.downvote(good.domain());  // order: broken first
  auto e = make_envelope("fall", 1, 2);
  forward(e, {broken.domain(), good.domain()});
  ASSERT_TRUE(eventually([&] { return good.requests() == 1 && settled(); }));
  EXPECT_EQ(broken.requests(), 1u);
  EXPECT_EQ(good.bodies()[0], e.SerializeAsString());
  EXPECT_GT(ranker_.failure_rate(broken.domain()), 0.0);
  auto s = fed.stats();
  EXPECT_EQ(s.per_relay[broken.domain()].error, 1u);
  EXPECT_EQ(s.per_relay[good.domain()].success, 1u);
  EXPECT_TRUE(failures().empty());
  // Both have one downvote now; the next message may try either, and still arrives.
}

TEST_F(FederationTest, RelayDownIsSkipped) {
  const std::string down = "127.0.0.1:" + std::to_string(test::closed_port());
  FakeRelay good(202);
  federator(fast());
  ranker_.downvote(good.domain());
  forward(make_envelope("skip", 1, 2), {down, good.domain()});
  ASSERT_TRUE(eventually([&] { return good.requests() == 1 && settled(); }));
  EXPECT_GT(ranker_.failure_rate(down), 0.0);
  EXPECT_TRUE(failures().empty());
}

TEST_F(FederationTest, HangingRelayTimesOutAndFallsThrough) {
  FakeRelay hanging(0);
  FakeRelay good(202);
  federator(fast());
  ranker_.downvote(good.domain());
  forward(make_envelope("hang", 1, 2), {hanging.domain(), good.domain()});
  // The hanging relay records the request when its own thread reads it, which need not
  // happen before the federator's timeout: wait for that too.
  ASSERT_TRUE(eventually([&] { return good.requests() == 1 && settled() && hanging.requests() >= 1; }));
  EXPECT_EQ(hanging.requests(), 1u);
  EXPECT_GT(ranker_.failure_rate(hanging.domain()), 0.0);
}

TEST_F(FederationTest, RetriesUntilTheEnvelopeExpires) {
  FakeRelay broken(500);
  auto& fed = federator(fast());
  // 3 s to live: several rounds of 3 passes, then "message has expired". Timestamps are
  // whole seconds, so N s leave between N-1 and N s: two rounds (one round's passes take
  // up to ~0.5 s, plus the retry delay) must fit into the shortest case even on a slow
  // machine, which 2 s (1 s at worst) did not guarantee.
  forward(make_envelope("exp", 1, 2, 0, 3), {broken.domain()});
  ASSERT_TRUE(eventually([&] { return failures().size() == 1 && settled(); }, 20s));
  EXPECT_EQ(failures()[0].reason, "message has expired");
  EXPECT_GE(broken.requests(), 6u);  // at least two rounds of 3 passes
  EXPECT_EQ(fed.stats().expired, 1u);
}

TEST_F(FederationTest, RecoversWhenTheRelayComesBackBeforeExpiry) {
  FakeRelay flaky(503);
  federator(fast());
  forward(make_envelope("later", 1, 2, 0, 60), {flaky.domain()});
  ASSERT_TRUE(eventually([&] { return flaky.requests() >= 3; }));
  flaky.set_status(202);
  ASSERT_TRUE(eventually([&] { return settled(); }));
  EXPECT_TRUE(failures().empty());
}

TEST_F(FederationTest, AlreadyExpiredIsReportedWithoutPosting) {
  FakeRelay remote(202);
  federator(fast());
  forward(make_envelope("dead", 1, 2, /*age=*/100, /*exp=*/50), {remote.domain()});
  ASSERT_TRUE(eventually([&] { return failures().size() == 1 && settled(); }));
  EXPECT_EQ(failures()[0].reason, "message has expired");
  EXPECT_EQ(remote.requests(), 0u);
}

TEST_F(FederationTest, QueueBoundRefusesWithAReason) {
  FakeRelay hanging(0);
  auto opt = fast();
  opt.queue_limit = 2;
  opt.request_timeout = 5s;
  auto& fed = federator(opt);
  for (int i = 0; i < 3; ++i) forward(make_envelope("q" + std::to_string(i), 1, 2), {hanging.domain()});
  ASSERT_TRUE(eventually([&] { return failures().size() == 1; }));
  EXPECT_EQ(failures()[0].uid, "q2");
  EXPECT_EQ(failures()[0].reason, "federation queue is full");
  EXPECT_EQ(fed.stats().queue_overflows, 1u);
}

// TLS: certificate and host name are verified.
class FederationTlsTest : public FederationTest {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("relayfed-tls");
    std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "
        "/CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    https_ = true;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  FederationOptions tls_options() {
    auto opt = fast();
    opt.scheme = "https";
    opt.ca_file = dir_ + "/cert.pem";
    return opt;
  }
  std::string dir_;
};

TEST_F(FederationTlsTest, TrustedCertificateIsAccepted) {
  FakeRelay remote(202, dir_ + "/cert.pem", dir_ + "/key.pem");
  auto& fed = federator(tls_options());
  const std::string domain = "localhost:" + std::to_string(remote.port());
  auto e = make_envelope("tls-ok", 1, 2);
  forward(e, {domain});
  ASSERT_TRUE(eventually([&] { return settled(); }));
  EXPECT_EQ(fed.stats().per_relay[domain].success, 1u);
  ASSERT_EQ(remote.requests(), 1u);
  EXPECT_EQ(remote.bodies()[0], e.SerializeAsString());
}

TEST_F(FederationTlsTest, WrongHostNameAndUntrustedCertificateFail) {
  FakeRelay remote(202, dir_ + "/cert.pem", dir_ + "/key.pem");
  auto opt = tls_options();
  auto& fed = federator(opt);
  // The certificate names "localhost", not 127.0.0.1.
  // Timestamps are whole seconds, so a TTL of N s leaves between N-1 and N s: with 1 s the
  // envelope can expire before the first attempt and no post is ever counted. 2 s always
  // leaves time for one attempt of 3 passes.
  const std::string by_ip = remote.domain();
  forward(make_envelope("tls-ip", 1, 2, 0, 2), {by_ip});
  ASSERT_TRUE(eventually([&] { return failures().size() == 1 && settled(); }, 20s));
  EXPECT_EQ(failures()[0].reason, "message has expired");
  EXPECT_EQ(remote.requests(), 0u);
  EXPECT_GE(fed.stats().per_relay[by_ip].error, 3u);

  // Default trust store: the self-signed certificate is not trusted.
  opt.ca_file.clear();
  auto& strict = federator(opt);
  const std::string by_name = "localhost:" + std::to_string(remote.port());
  forward(make_envelope("tls-untrusted", 1, 2, 0, 2), {by_name});
  ASSERT_TRUE(eventually([&] { return failures().size() == 2 && settled(); }, 20s));
  EXPECT_EQ(remote.requests(), 0u);
  EXPECT_GE(strict.stats().per_relay[by_name].error, 3u);
}

TEST_F(FederationTlsTest, TheSystemStoreStillCountsWhenACaFileIsGiven) {
  // The remote's certificate (its own CA) is in the system store only (a stand-in:
  // SSL_CERT_FILE / SSL_CERT_DIR); --federation-ca-file names another CA. A CA file that
  // replaced the system store would refuse the remote.
  ASSERT_TRUE(test::make_ca(dir_, "other-ca"));
  std::filesystem::create_directory(dir_ + "/empty");
  test::FakeSystemTrustStore store(dir_ + "/cert.pem", dir_ + "/empty");
  FakeRelay remote(202, dir_ + "/cert.pem", dir_ + "/key.pem");
  auto opt = tls_options();
  opt.ca_file = dir_ + "/other-ca.pem";
  auto& fed = federator(opt);
  const std::string domain = "localhost:" + std::to_string(remote.port());
  forward(make_envelope("tls-system-store", 1, 2), {domain});
  ASSERT_TRUE(eventually([&] { return settled(); }));
  EXPECT_EQ(fed.stats().per_relay[domain].success, 1u);
  EXPECT_EQ(remote.requests(), 1u);
  EXPECT_TRUE(failures().empty());
}

}  // namespace
}  // namespace rmb::relay
