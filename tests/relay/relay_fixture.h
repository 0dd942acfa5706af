#pragma once
// A real rmb-relay child process with a directory of test twins:
//   twins 1..6   on relay "relay.test" (this relay's --domain)
//   twin 50      with no relay set
//   twin 60      on "other.example" (foreign; federation off unless a test turns it on)
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/twins.h"
#include "tests/support/ws_client.h"

namespace rmb::relay {

class RelayTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kNoRelayTwin = 50;
  static constexpr uint32_t kForeignTwin = 60;

  void SetUp() override;
  // Starts the relay with the common flags plus `extra`.
  void start_relay(const std::vector<std::string>& extra = {});

  // Twin `id` (1..6) connected as session `sid`.
  std::unique_ptr<test::WsClient> connect(uint32_t id, std::optional<std::string> sid = std::nullopt);
  const test::TestTwin& twin(uint32_t id) const { return twins_.at(id - 1); }

  // `from` sends a request to `to` and `to` answers; both arrive byte-identical.
  void expect_round_trip(test::WsClient& from, test::WsClient& to);
  // A second pair (twins 5 and 6), connected once, used to check the relay still serves
  // other clients after each bad input.
  void expect_bystanders_served();

  // Receives the next envelope, which must be the §5.5 error for `uid` with `text`,
  // addressed to `client`'s session.
  void expect_error(test::WsClient& client, const std::string& uid, const std::string& text);

  // Returns once the relay has routed everything `client` sent before: frames of one
  // connection are routed in order, so an envelope ping's pong coming back proves it.
  void sync(test::WsClient& client);

  // Value of one sample line of /metrics ("name" or "name{label=\"v\"}"); 0 if absent.
  double metric(const std::string& sample);
  // Polls `sample` until `done(value)` or `timeout` (the relay counts some events just after
  // the client sees them); returns the last value. The default limit is generous for a
  // loaded machine: success returns at once.
  double wait_for_metric(const std::string& sample, const std::function<bool(double)>& done,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // 0 when the relay did not start (start_relay() recorded why): the test then fails on its
  // first connection instead of crashing the whole binary.
  uint16_t port() const { return relay_ ? relay_->port() : 0; }

  std::string dir_;
  std::string directory_path_;
  std::vector<test::TestTwin> twins_;
  std::vector<test::TestTwin> others_;  // 50, 60
  std::unique_ptr<test::RelayProcess> relay_;
  std::unique_ptr<test::WsClient> bystander_a_, bystander_b_;
};

}  // namespace rmb::relay
