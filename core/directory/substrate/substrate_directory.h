#pragma once
// The tfchain twin directory (PROTOCOL.md §10): `TfgridModule.Twins(id)` and
// `TwinIdByAccountID(account)` read with `state_getStorage` (latest block) over
// JSON-RPC/WebSocket, the Twin SCALE-decoded.
//
// Found twins and ids are cached (bounded LRU, entries expire after `cache_ttl`; absent
// ones are not cached, so a twin created on chain is seen at once). Concurrent misses for
// the same key share one RPC. Cache hits call back at once on the caller's thread;
// misses call back from the directory's own I/O thread. Errors (no node reachable,
// timeout, malformed SCALE) reach the callback as a status whose message names the twin
// and the cause.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/directory/substrate/expiring_cache.h"
#include "core/directory/substrate/node_answer.h"
#include "core/directory/substrate/rpc_client.h"
#include "core/directory/twin_directory.h"

namespace rmb::core {

struct SubstrateDirectoryOptions {
  RpcClientOptions rpc;
  size_t cache_capacity = 500;
  std::chrono::milliseconds cache_ttl{300'000};
  // Time source of the cache; tests replace it to expire entries without sleeping.
  std::function<std::chrono::steady_clock::time_point()> clock = [] { return std::chrono::steady_clock::now(); };
};

class SubstrateDirectory final : public TwinDirectory {
 public:
  // Validates the URLs and starts the I/O thread; connects on the first lookup.
  static absl::StatusOr<std::unique_ptr<SubstrateDirectory>> open(SubstrateDirectoryOptions options);
  // Fails lookups still in flight with Cancelled and joins the I/O thread.
  ~SubstrateDirectory() override;

  void get_twin(uint32_t id, TwinCallback done) override;
  void get_twin_id(const AccountId& account, IdCallback done) override;

  // Drops a cached twin (e.g. after update_twin changed it).
  void forget(uint32_t id) override;

  // The node connection, shared with update_twin.
  const std::shared_ptr<RpcClient>& rpc() const { return rpc_; }

 private:
  explicit SubstrateDirectory(SubstrateDirectoryOptions options);
  void twin_loaded(uint32_t id, absl::StatusOr<nlohmann::json> result);
  void id_loaded(const AccountId& account, absl::StatusOr<nlohmann::json> result);

  SubstrateDirectoryOptions options_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<RpcClient> rpc_;
  std::thread thread_;

  std::mutex mu_;
  ExpiringCache<uint32_t, Twin> twins_;
  ExpiringCache<AccountId, uint32_t> ids_;
  std::map<uint32_t, std::vector<TwinCallback>> twin_waiters_;
  std::map<AccountId, std::vector<IdCallback>> id_waiters_;
};

}  // namespace rmb::core
