#pragma once
// Test twins: fresh ed25519 identities and the twins.json directory that lists them.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/directory/twin.h"
#include "core/protocol/identity/signer.h"

namespace rmb::test {

struct TestTwin {
  uint32_t id = 0;
  core::Seed seed{};
  std::unique_ptr<core::Signer> signer;
  std::set<std::string> relays;  // as published in the directory (empty = relay not set)

  core::Twin directory_entry() const;
};

// `count` twins with ids first_id, first_id + 1, ... and fresh random ed25519 keys.
std::vector<TestTwin> make_twins(size_t count, uint32_t first_id = 1,
                                 const std::set<std::string>& relays = {"relay.test"});
// Writes the directory file (core::directory_to_json) listing `twins` plus `extra`.
absl::Status write_directory(const std::string& path, const std::vector<TestTwin>& twins,
                             const std::vector<core::Twin>& extra = {});

}  // namespace rmb::test
