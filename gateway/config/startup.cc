#include "gateway/config/startup.h"

#include <future>

#include "core/directory/substrate/rpc_client.h"
#include "core/directory/substrate/update_twin.h"
#include "core/net/url.h"

namespace rmb::gateway::config {

namespace {
template <typename T>
absl::StatusOr<T> wait_for(std::future<absl::StatusOr<T>>& future, std::chrono::milliseconds timeout,
                           const char* what) {
  if (future.wait_for(timeout) != std::future_status::ready) {
    return absl::DeadlineExceededError(std::string(what) + " took too long");
  }
  return future.get();
}
}  // namespace

absl::StatusOr<std::set<std::string>> relay_domains(const std::vector<std::string>& relay_urls) {
  std::set<std::string> out;
  for (const auto& url : relay_urls) {
    auto parsed = core::parse_ws_url(url, "relay URL");
    if (!parsed.ok()) return parsed.status();
    out.insert(parsed->host);
  }
  return out;
}

absl::StatusOr<bool> publish_twin(core::SubstrateDirectory& chain, uint32_t twin,
                                  std::shared_ptr<const core::Signer> signer, const std::set<std::string>& relays,
                                  const std::optional<core::PublicKey33>& pk, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<std::optional<core::Twin>>>>();
  auto future = promise->get_future();
  chain.get_twin(
      twin, [promise](absl::StatusOr<std::optional<core::Twin>> result) { promise->set_value(std::move(result)); });
  auto record = wait_for(future, timeout, "reading the twin");
  if (!record.ok())
    return absl::UnavailableError("cannot read twin " + std::to_string(twin) + ": " +
                                  std::string(record.status().message()));
  if (!record->has_value()) return absl::NotFoundError("no twin found on this network with given key");
  std::optional<core::Bytes> key;
  if (pk) key = core::Bytes(pk->begin(), pk->end());
  if (!core::twin_needs_update(**record, relays, key)) return false;
  if (auto valid = core::validate_chain_update(relays, key); !valid.ok()) {
    return absl::InvalidArgumentError("cannot publish the relays on chain: " + std::string(valid.message()) +
                                      " (use --no-update to skip)");
  }
  auto done = std::make_shared<std::promise<absl::Status>>();
  auto finished = done->get_future();
  core::update_twin(chain.rpc(), std::move(signer), relays, key, std::chrono::steady_clock::now() + timeout,
                    [done](absl::Status status) { done->set_value(std::move(status)); });
  if (finished.wait_for(timeout + std::chrono::seconds(10)) != std::future_status::ready) {
    return absl::DeadlineExceededError("the twin update took too long");
  }
  if (auto status = finished.get(); !status.ok()) {
    return absl::Status(status.code(), "updating the twin on chain failed: " + std::string(status.message()));
  }
  chain.forget(twin);
  return true;
}

}  // namespace rmb::gateway::config
