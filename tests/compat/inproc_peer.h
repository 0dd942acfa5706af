#pragma once
// rmb-peer in-process for tests and benchmarks of the Redis front door with the real
// gateway: an Engine with its own io_context thread, real relay links to a real rmb-relay
// process, a FileDirectory, and the Redis front door on a given Redis URL. (The same parts
// rmb-peer's main wires together; used until tests can spawn rmb-peer itself.)
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/status/statusor.h"
#include "compat/redis_front_door.h"
#include "core/directory/file_directory.h"
#include "core/directory/twin.h"
#include "gateway/engine/engine.h"
#include "tests/support/process.h"

namespace rmb::test {

// A twin of the test network: ed25519, random seed, e2e key published in the directory.
struct NetTwin {
  uint32_t id = 0;
  std::string secret;  // "0x" + seed hex
  core::Twin entry() const;
};
NetTwin make_net_twin(uint32_t id);

// A relay on a fresh twins.json listing `twins` (all on relay domain "relay.test"), its
// mail in Redis at `relay_redis` (-r) when given, else the relay's default.
struct Network {
  static absl::StatusOr<std::unique_ptr<Network>> start(const std::vector<NetTwin>& twins,
                                                        const std::string& relay_redis = "");
  std::string dir;
  std::string directory_path;
  std::vector<std::string> relay_args;  // to start it again on the same port
  std::unique_ptr<RelayProcess> relay;
};

class InprocPeer {
 public:
  // Connected to the relay when it returns (or an error).
  static absl::StatusOr<std::unique_ptr<InprocPeer>> start(const NetTwin& twin, const Network& network,
                                                           const std::string& redis_url);
  ~InprocPeer();
  gateway::Engine& engine() { return *engine_; }

 private:
  InprocPeer() = default;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::unique_ptr<core::FileDirectory> directory_;
  std::unique_ptr<gateway::RelayLinks> links_;
  std::unique_ptr<gateway::Engine> engine_;
  std::unique_ptr<compat::RedisFrontDoor> door_;
};

}  // namespace rmb::test
