#include "core/directory/substrate/substrate_directory.h"

#include "absl/strings/str_cat.h"
#include "core/directory/substrate/scale.h"
#include "core/directory/substrate/storage_keys.h"
#include "core/protocol/identity/ss58.h"

namespace rmb::core {

absl::StatusOr<std::unique_ptr<SubstrateDirectory>> SubstrateDirectory::open(SubstrateDirectoryOptions options) {
  std::unique_ptr<SubstrateDirectory> dir(new SubstrateDirectory(std::move(options)));
  auto rpc = RpcClient::create(dir->io_.get_executor(), dir->options_.rpc);
  if (!rpc.ok()) return rpc.status();
  dir->rpc_ = *std::move(rpc);
  dir->thread_ = std::thread([d = dir.get()] { d->io_.run(); });
  return dir;
}

SubstrateDirectory::SubstrateDirectory(SubstrateDirectoryOptions options)
    : options_(std::move(options)),
      work_(io_.get_executor()),
      twins_(options_.cache_capacity, options_.cache_ttl),
      ids_(options_.cache_capacity, options_.cache_ttl) {}

SubstrateDirectory::~SubstrateDirectory() {
  if (rpc_) rpc_->close();
  work_.reset();
  if (thread_.joinable()) thread_.join();
}

void SubstrateDirectory::forget(uint32_t id) {
  std::lock_guard lock(mu_);
  twins_.erase(id);
}

void SubstrateDirectory::get_twin(uint32_t id, TwinCallback done) {
  {
    std::unique_lock lock(mu_);
    if (auto hit = twins_.get(id, options_.clock())) {
      lock.unlock();
      done(std::optional<Twin>(*std::move(hit)));
      return;
    }
    auto& waiters = twin_waiters_[id];
    waiters.push_back(std::move(done));
    if (waiters.size() > 1) return;  // a lookup of this id is already on its way
  }
  rpc_->call("state_getStorage", nlohmann::json::array({"0x" + to_hex(twins_storage_key(id))}),
             [this, id](absl::StatusOr<nlohmann::json> result) { twin_loaded(id, std::move(result)); });
}

void SubstrateDirectory::twin_loaded(uint32_t id, absl::StatusOr<nlohmann::json> result) {
  auto decode = [&]() -> absl::StatusOr<std::optional<Twin>> {
    if (!result.ok()) return result.status();
    auto value = storage_value(*result);
    if (!value.ok()) return value.status();
    if (!*value) return std::optional<Twin>();
    auto chain = decode_chain_twin(**value);
    if (!chain.ok()) return chain.status();
    if (chain->id != id) {
      return absl::DataLossError(absl::StrCat("the node returned twin ", chain->id, " for the key of twin ", id));
    }
    return std::optional<Twin>(twin_from_chain(*chain));
  };
  absl::StatusOr<std::optional<Twin>> out = decode();
  if (!out.ok()) {
    out = absl::Status(out.status().code(),
                       absl::StrCat("twin ", id, " lookup on tfchain failed: ", out.status().message()));
  }
  std::vector<TwinCallback> waiters;
  {
    std::lock_guard lock(mu_);
    if (out.ok() && out->has_value()) twins_.put(id, **out, options_.clock());
    auto node = twin_waiters_.extract(id);
    if (!node.empty()) waiters = std::move(node.mapped());
  }
  for (auto& w : waiters) w(out);
}

void SubstrateDirectory::get_twin_id(const AccountId& account, IdCallback done) {
  {
    std::unique_lock lock(mu_);
    if (auto hit = ids_.get(account, options_.clock())) {
      lock.unlock();
      done(std::optional<uint32_t>(*hit));
      return;
    }
    auto& waiters = id_waiters_[account];
    waiters.push_back(std::move(done));
    if (waiters.size() > 1) return;
  }
  rpc_->call("state_getStorage", nlohmann::json::array({"0x" + to_hex(twin_id_by_account_storage_key(account))}),
             [this, account](absl::StatusOr<nlohmann::json> result) { id_loaded(account, std::move(result)); });
}

void SubstrateDirectory::id_loaded(const AccountId& account, absl::StatusOr<nlohmann::json> result) {
  auto decode = [&]() -> absl::StatusOr<std::optional<uint32_t>> {
    if (!result.ok()) return result.status();
    auto value = storage_value(*result);
    if (!value.ok()) return value.status();
    if (!*value) return std::optional<uint32_t>();
    auto id = decode_twin_id(**value);
    if (!id.ok()) return id.status();
    return std::optional<uint32_t>(*id);
  };
  absl::StatusOr<std::optional<uint32_t>> out = decode();
  if (!out.ok()) {
    out = absl::Status(out.status().code(), absl::StrCat("twin id lookup of ", ss58_encode(account),
                                                         " on tfchain failed: ", out.status().message()));
  }
  std::vector<IdCallback> waiters;
  {
    std::lock_guard lock(mu_);
    if (out.ok() && out->has_value()) ids_.put(account, **out, options_.clock());
    auto node = id_waiters_.extract(account);
    if (!node.empty()) waiters = std::move(node.mapped());
  }
  for (auto& w : waiters) w(out);
}

}  // namespace rmb::core
