#pragma once
// Who this gateway is: its twin id, its signing key and its end-to-end key.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/directory/twin_directory.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/key_type.h"
#include "core/protocol/identity/signer.h"

namespace rmb::gateway {

struct Identity {
  uint32_t twin = 0;
  core::KeyType key_type = core::KeyType::kSr25519;
  std::unique_ptr<core::Signer> signer;
  // Absent when the secret is a derivation URI ("//Alice", "phrase//hard"): rmb-peer derives
  // its secp256k1 key from the bare mini-secret only (PROTOCOL.md Appendix B.6), so such an
  // identity cannot decrypt and must not publish a pk; cipher payloads sent to it are
  // answered with error 106.
  std::optional<core::E2eKey> e2e;
};

// Builds the signer from `secret` (mnemonic, 0x seed or secret URI), the e2e key from the
// same secret when it is a bare mnemonic or seed, and looks the twin id up in `directory` by
// the signer's account (blocking up to `timeout`: meant for start-up). No twin ->
// NOT_FOUND "no twin found on this network with given key".
absl::StatusOr<Identity> load_identity(core::KeyType type, std::string_view secret, core::TwinDirectory& directory,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The same without the directory, for a known twin id (tests, tools).
absl::StatusOr<Identity> make_identity(core::KeyType type, std::string_view secret, uint32_t twin);

}  // namespace rmb::gateway
