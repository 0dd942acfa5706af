#include "core/directory/substrate/update_twin.h"

#include <boost/asio/steady_timer.hpp>

#include "absl/strings/str_cat.h"
#include "core/directory/relay_domain.h"
#include "core/directory/substrate/extrinsic.h"
#include "core/directory/substrate/scale.h"
#include "core/directory/substrate/storage_keys.h"
#include "core/directory/substrate/substrate_directory.h"
#include "core/protocol/identity/ss58.h"

namespace rmb::core {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

absl::StatusOr<uint64_t> json_u64(const json& v, absl::string_view what) {
  if (!v.is_number_unsigned()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is ", v.dump(60), ", expected an unsigned number"));
  }
  return v.get<uint64_t>();
}

class UpdateOp : public std::enable_shared_from_this<UpdateOp> {
 public:
  UpdateOp(std::shared_ptr<RpcClient> rpc, std::shared_ptr<const Signer> signer, std::set<std::string> relays,
           std::optional<Bytes> pk, Clock::time_point deadline, std::function<void(absl::Status)> done,
           UpdateTwinOptions options)
      : rpc_(std::move(rpc)),
        signer_(std::move(signer)),
        relays_(std::move(relays)),
        pk_(std::move(pk)),
        deadline_(deadline),
        done_(std::move(done)),
        options_(options),
        timer_(rpc_->executor()) {}

  void start() {
    call("state_getStorage", json::array({"0x" + to_hex(twin_id_by_account_storage_key(signer_->account()))}),
         "reading the twin id", [this](const json& r) { on_twin_id(r); });
  }

 private:
  // Runs `next` with the result, or finishes with the error prefixed by `step`.
  template <class F>
  void call(const char* method, json params, const char* step, F next) {
    rpc_->call(method, std::move(params), deadline_,
               [self = shared_from_this(), step, next](absl::StatusOr<json> r) mutable {
                 if (!r.ok()) return self->fail(step, r.status());
                 next(*r);
               });
  }

  void fail(absl::string_view step, const absl::Status& st) {
    finish(absl::Status(st.code(), absl::StrCat("update_twin failed ", step, ": ", st.message())));
  }
  void finish(absl::Status st) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(st));
  }

  void on_twin_id(const json& result) {
    auto value = storage_value(result);
    if (!value.ok()) return fail("reading the twin id", value.status());
    if (!*value) {
      return finish(absl::NotFoundError(absl::StrCat("no twin found on this network with given key (account ",
                                                     ss58_encode(signer_->account()), ")")));
    }
    auto id = decode_twin_id(**value);
    if (!id.ok()) return fail("reading the twin id", id.status());
    twin_id_ = *id;
    call("system_accountNextIndex", json::array({ss58_encode(signer_->account())}), "reading the nonce",
         [this](const json& r) { on_nonce(r); });
  }

  void on_nonce(const json& result) {
    auto nonce = json_u64(result, "the account nonce");
    if (!nonce.ok()) return fail("reading the nonce", nonce.status());
    nonce_ = *nonce;
    call("state_getRuntimeVersion", json::array(), "reading the runtime version",
         [this](const json& r) { on_runtime(r); });
  }

  void on_runtime(const json& result) {
    if (!result.is_object() || !result.contains("specVersion") || !result.contains("transactionVersion")) {
      return fail("reading the runtime version",
                  absl::InvalidArgumentError(absl::StrCat("unexpected answer ", result.dump(120))));
    }
    auto spec = json_u64(result["specVersion"], "specVersion");
    auto tx = json_u64(result["transactionVersion"], "transactionVersion");
    if (!spec.ok()) return fail("reading the runtime version", spec.status());
    if (!tx.ok()) return fail("reading the runtime version", tx.status());
    if (*spec > UINT32_MAX || *tx > UINT32_MAX) {
      return fail("reading the runtime version", absl::InvalidArgumentError("version does not fit in u32"));
    }
    context_.spec_version = static_cast<uint32_t>(*spec);
    context_.transaction_version = static_cast<uint32_t>(*tx);
    call("chain_getBlockHash", json::array({0}), "reading the genesis hash", [this](const json& r) { on_genesis(r); });
  }

  void on_genesis(const json& result) {
    auto hash = result.is_string() ? from_hex_fixed<32>(result.get<std::string>())
                                   : absl::StatusOr<std::array<uint8_t, 32>>(absl::InvalidArgumentError(
                                         absl::StrCat("unexpected answer ", result.dump(80))));
    if (!hash.ok()) return fail("reading the genesis hash", hash.status());
    context_.genesis_hash = *hash;
    const Bytes call_bytes = encode_update_twin_call({join_relays(relays_), pk_});
    const Bytes xt = build_signed_extrinsic(call_bytes, *signer_, nonce_, 0, context_);
    call("author_submitExtrinsic", json::array({"0x" + to_hex(xt)}), "submitting the extrinsic",
         [this](const json&) { poll(); });
  }

  void poll() {
    call("state_getStorage", json::array({"0x" + to_hex(twins_storage_key(twin_id_))}), "confirming the update",
         [this](const json& r) { on_twin(r); });
  }

  void on_twin(const json& result) {
    auto value = storage_value(result);
    if (!value.ok()) return fail("confirming the update", value.status());
    if (*value) {
      auto chain = decode_chain_twin(**value);
      if (!chain.ok()) return fail("confirming the update", chain.status());
      if (!twin_needs_update(twin_from_chain(*chain), relays_, pk_)) return finish(absl::OkStatus());
    }
    if (Clock::now() + options_.poll_interval >= deadline_) {
      return finish(absl::DeadlineExceededError(absl::StrCat(
          "update_twin submitted for twin ", twin_id_,
          " but the chain did not show the new relay/pk before the deadline (not included, or failed in the block)")));
    }
    timer_.expires_after(options_.poll_interval);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->fail("confirming the update", absl::CancelledError("timer cancelled"));
      self->poll();
    });
  }

  std::shared_ptr<RpcClient> rpc_;
  std::shared_ptr<const Signer> signer_;
  std::set<std::string> relays_;
  std::optional<Bytes> pk_;
  Clock::time_point deadline_;
  std::function<void(absl::Status)> done_;
  UpdateTwinOptions options_;
  boost::asio::steady_timer timer_;
  uint32_t twin_id_ = 0;
  uint64_t nonce_ = 0;
  ChainContext context_;
};

}  // namespace

absl::Status validate_chain_update(const std::set<std::string>& relays, const std::optional<Bytes>& pk) {
  for (const auto& d : relays) {
    if (auto st = validate_relay_domain(d); !st.ok()) return st;
    if (d.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("relay '", d, "' has a port: tfchain accepts only domain names (a-z A-Z 0-9 - .)"));
    }
  }
  if (auto joined = join_relays(relays); joined && joined->size() > kChainRelayMaxBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("relays joined with '_' take ", joined->size(), " bytes, tfchain allows ", kChainRelayMaxBytes));
  }
  if (pk && pk->size() > kChainPkMaxBytes) {
    return absl::InvalidArgumentError(absl::StrCat("pk is ", pk->size(), " bytes, tfchain allows ", kChainPkMaxBytes));
  }
  return absl::OkStatus();
}

bool twin_needs_update(const Twin& on_chain, const std::set<std::string>& relays, const std::optional<Bytes>& pk) {
  return on_chain.relays != relays || on_chain.pk != pk;
}

void update_twin(std::shared_ptr<RpcClient> rpc, std::shared_ptr<const Signer> signer, std::set<std::string> relays,
                 std::optional<Bytes> pk, std::chrono::steady_clock::time_point deadline,
                 std::function<void(absl::Status)> done, UpdateTwinOptions options) {
  if (auto st = validate_chain_update(relays, pk); !st.ok()) {
    done(absl::InvalidArgumentError(absl::StrCat("update_twin: ", st.message())));
    return;
  }
  auto op = std::make_shared<UpdateOp>(std::move(rpc), std::move(signer), std::move(relays), std::move(pk), deadline,
                                       std::move(done), options);
  op->start();
}

}  // namespace rmb::core
