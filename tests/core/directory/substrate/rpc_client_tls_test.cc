// The tfchain client over wss:// (rmb-peer --ca-file, rmb chain): a node whose
// certificate is signed by a CA given only as the CA file is trusted, and so is one signed
// by a CA of the system store (a stand-in: SSL_CERT_FILE / SSL_CERT_DIR) while the CA file
// is given: the file adds to the system store, it does not replace it.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/directory/substrate/rpc_client.h"
#include "tests/support/test_ca.h"

namespace rmb::core {
namespace {

using namespace std::chrono_literals;

class RpcClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto world = test::CaFileWorld::make("rmb-rpc-tls");
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = *std::move(world);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // One call to `url` with a fresh client.
  absl::StatusOr<nlohmann::json> call(const std::string& url, const std::string& ca_file) {
    RpcClientOptions options;
    options.urls = {url};
    options.ca_file = ca_file;
    options.connect_timeout = 5s;
    options.call_timeout = 10s;
    auto client = RpcClient::create(io_.get_executor(), options);
    if (!client.ok()) return client.status();
    std::promise<absl::StatusOr<nlohmann::json>> answer;
    (*client)->call("system_health", nlohmann::json::array(),
                    [&answer](absl::StatusOr<nlohmann::json> result) { answer.set_value(std::move(result)); });
    auto result = answer.get_future().get();
    (*client)->close();
    return result;
  }

  std::unique_ptr<test::CaFileWorld> world_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
};

TEST_F(RpcClientTlsTest, TheCaFileAddsToTheSystemStore) {
  auto extra = call(world_->by_extra().url(), world_->extra_ca());
  ASSERT_TRUE(extra.ok()) << extra.status();
  EXPECT_EQ(*extra, "ok");
  auto system = call(world_->by_system().url(), world_->extra_ca());
  ASSERT_TRUE(system.ok()) << system.status();
  EXPECT_EQ(*system, "ok");
}

TEST_F(RpcClientTlsTest, ACaInNeitherIsRefused) {
  auto stranger = call(world_->by_stranger().url(), world_->extra_ca());
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(stranger.status().message().find("certificate verify failed"), std::string::npos) << stranger.status();
  // Without the CA file its node is a stranger too.
  auto extra = call(world_->by_extra().url(), "");
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.status().message().find("certificate verify failed"), std::string::npos) << extra.status();
}

TEST_F(RpcClientTlsTest, TheNodeCertificateMustNameTheHost) {
  auto by_address = call(world_->by_extra().url("127.0.0.1"), world_->extra_ca());
  ASSERT_FALSE(by_address.ok());
  EXPECT_NE(by_address.status().message().find("mismatch"), std::string::npos) << by_address.status();
}

}  // namespace
}  // namespace rmb::core
