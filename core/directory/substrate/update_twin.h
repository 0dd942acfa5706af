#pragma once
// Publishing a twin's relays and e2e key on tfchain (PROTOCOL.md §8.2 step 3, §10.4).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "core/directory/substrate/rpc_client.h"
#include "core/directory/twin.h"
#include "core/protocol/identity/signer.h"

namespace rmb::core {

// The chain's rules for the relay field (§6.2): every domain valid, no ports (the chain
// refuses ':'), and the '_'-joined text at most 1024 bytes. pk at most 128 bytes.
absl::Status validate_chain_update(const std::set<std::string>& relays, const std::optional<Bytes>& pk);

// True when the chain record differs from what the peer uses (compared as sets).
bool twin_needs_update(const Twin& on_chain, const std::set<std::string>& relays, const std::optional<Bytes>& pk);

struct UpdateTwinOptions {
  // How often the twin is re-read after submitting, until it shows the new values.
  std::chrono::milliseconds poll_interval{500};
};

// Submits TfgridModule.update_twin(relay = join(relays,'_') or None, pk) signed by
// `signer` as an immortal v4 extrinsic with tip 0, and confirms by re-reading
// Twins(id) until it shows the new relay set and pk. Nonce, runtime version and genesis
// hash come from the node (system_accountNextIndex, state_getRuntimeVersion,
// chain_getBlockHash(0)). `done` gets OK, or an error naming the failed step: NotFound
// "no twin found on this network with given key", the node's rejection (bad signature,
// stale nonce, ...), or DeadlineExceeded when the twin has not changed by `deadline`
// (e.g. the extrinsic failed inside the block, which this confirmation cannot tell
// apart from slow inclusion). Callbacks run on the RPC client's strand.
void update_twin(std::shared_ptr<RpcClient> rpc, std::shared_ptr<const Signer> signer, std::set<std::string> relays,
                 std::optional<Bytes> pk, std::chrono::steady_clock::time_point deadline,
                 std::function<void(absl::Status)> done, UpdateTwinOptions options = {});

}  // namespace rmb::core
