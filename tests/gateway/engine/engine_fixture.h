#pragma once
// Engines in-process over a real rmb-relay: each node is an Engine with its own
// io_context thread, FileDirectory and real RelayLinks to the relay.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/directory/file_directory.h"
#include "gateway/engine/engine.h"
#include "tests/support/process.h"
#include "tests/support/twins.h"
#include "tests/support/ws_client.h"

namespace rmb::gateway::test {

using namespace std::chrono_literals;

// A twin of the test network: its secret, identity and directory entry.
struct NetTwin {
  uint32_t id = 0;
  core::KeyType type = core::KeyType::kEd25519;
  std::string secret;  // "0x" + seed hex
  bool publish_pk = true;
  core::Seed seed{};
  core::Twin entry() const;
  // A TestTwin with the same key, for WsClient (ed25519 only).
  rmb::test::TestTwin as_test_twin() const;
};

NetTwin make_net_twin(uint32_t id, core::KeyType type, bool publish_pk);

// Waits (bounded) for values pushed from other threads.
template <typename T>
class Inbox {
 public:
  void push(T value) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(value));
    cv_.notify_all();
  }
  std::optional<T> pop(std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !items_.empty(); })) return std::nullopt;
    T out = std::move(items_.front());
    items_.pop_front();
    return out;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
};

// Records the requests offered to it; answers them through the engine when `echo` is set.
class RecordingSink : public RequestSink {
 public:
  RecordingSink(Outbox* outbox, bool echo) : outbox_(outbox), echo_(echo) {}
  bool offer(const IncomingRequest& request) override;
  Inbox<IncomingRequest> received;

 private:
  Outbox* outbox_;
  bool echo_;
};

struct Node {
  ~Node();
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread thread;
  std::unique_ptr<core::FileDirectory> directory;
  std::unique_ptr<RelayLinks> links;
  std::unique_ptr<Engine> engine;
};

// The outcomes of one request and its on_done.
struct Call {
  Inbox<Outcome> outcomes;
  Inbox<bool> done;
};

class EngineTest : public ::testing::Test {
 protected:
  // Writes the directory of `twins` (plus `extra`), starts the relay.
  void start_network(std::vector<NetTwin> twins, std::vector<core::Twin> extra = {},
                     std::vector<std::string> relay_extra_args = {});
  // SIGKILLs the relay and starts it again on the same port (its memory mailbox is lost).
  void restart_relay();
  // An engine for twin `id`, connected when it returns.
  Node& start_node(uint32_t id, EngineOptions options = {});
  const NetTwin& twin(uint32_t id) const;
  // A WebSocket client for twin `id` (ed25519), straight to the relay.
  std::unique_ptr<rmb::test::WsClient> client(uint32_t id);

  // Sends and returns the uid; outcomes and done go to `call`.
  std::string send(Node& from, OutgoingRequest request, const std::shared_ptr<Call>& call);

  void TearDown() override;

  std::string dir_;
  std::string directory_path_;
  std::vector<NetTwin> twins_;
  std::unique_ptr<rmb::test::RelayProcess> relay_;
  std::vector<std::string> relay_args_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

OutgoingRequest make_request(std::vector<uint32_t> destinations, std::string command, std::string data,
                             uint64_t expiration = 60);

}  // namespace rmb::gateway::test
