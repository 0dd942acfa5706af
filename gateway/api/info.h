#pragma once
// The facts Gateway.Info reports: who this gateway is and how its relay links are doing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/key_type.h"
#include "gateway/link/relay_links.h"
#include "rmb/api/v1/gateway.pb.h"

namespace rmb::gateway::api {

struct InfoFacts {
  uint32_t twin = 0;
  core::KeyType key_type = core::KeyType::kSr25519;
  core::AccountId account{};
  std::optional<core::PublicKey33> e2e_public_key;  // none: the peer cannot decrypt
  std::string version;
};

rmb::api::v1::InfoResponse make_info(const InfoFacts& facts, const std::vector<LinkStatus>& links);

}  // namespace rmb::gateway::api
