#pragma once
// The blocking steps of rmb-peer's start (PROTOCOL.md §8.2 steps 2-3), on top of the
// callback-style directory and chain APIs.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/directory/substrate/substrate_directory.h"
#include "core/directory/twin_directory.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/signer.h"

namespace rmb::gateway::config {

// The host of each relay URL: the relay set published on chain.
absl::StatusOr<std::set<std::string>> relay_domains(const std::vector<std::string>& relay_urls);

// §8.2 step 3: publishes the relays and e2e key when the chain record differs (no key:
// the pk is cleared, as an identity without an e2e key must not advertise one). Returns
// whether an update was submitted.
absl::StatusOr<bool> publish_twin(core::SubstrateDirectory& chain, uint32_t twin,
                                  std::shared_ptr<const core::Signer> signer, const std::set<std::string>& relays,
                                  const std::optional<core::PublicKey33>& pk,
                                  std::chrono::milliseconds timeout = std::chrono::minutes(3));

}  // namespace rmb::gateway::config
