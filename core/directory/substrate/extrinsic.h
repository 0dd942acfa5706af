#pragma once
// The `TfgridModule.update_twin` call and the signed v4 extrinsic that carries it
// (PROTOCOL.md §10.4). Decoding is here too: the fake node in the tests checks what we
// send with it, and tools can print what they are about to submit.
#include <array>
#include <optional>

#include "absl/status/statusor.h"
#include "core/directory/substrate/storage_keys.h"
#include "core/protocol/identity/signer.h"
#include "core/util/bytes.h"

namespace rmb::core {

inline constexpr uint8_t kTfgridPalletIndex = 25;         // TfgridModule
inline constexpr uint8_t kUpdateTwinCallIndex = 18;       // update_twin(relay, pk)
inline constexpr uint8_t kExtrinsicVersionSigned = 0x84;  // v4 | signed bit
inline constexpr uint8_t kMultiAddressId = 0x00;
inline constexpr uint8_t kMultiSignatureEd25519 = 0x00;
inline constexpr uint8_t kMultiSignatureSr25519 = 0x01;
inline constexpr uint8_t kImmortalEra = 0x00;

struct UpdateTwinCall {
  std::optional<Bytes> relay;  // UTF-8 domains joined with '_'; None clears it
  std::optional<Bytes> pk;     // 33-byte compressed secp256k1 key; None clears it
  bool operator==(const UpdateTwinCall&) const = default;
};

// 0x19 0x12 ‖ Option<Vec<u8>> relay ‖ Option<Vec<u8>> pk
Bytes encode_update_twin_call(const UpdateTwinCall& call);
absl::StatusOr<UpdateTwinCall> decode_update_twin_call(ByteView call);

// What the signature commits to beside the call (CheckSpecVersion, CheckTxVersion,
// CheckGenesis, CheckMortality with an immortal era whose block hash is the genesis).
struct ChainContext {
  uint32_t spec_version = 0;
  uint32_t transaction_version = 0;
  Hash256 genesis_hash{};
};

// call ‖ era ‖ compact(nonce) ‖ compact(tip) ‖ spec u32 ‖ tx u32 ‖ genesis ‖ genesis,
// replaced by its blake2b-256 when longer than 256 bytes.
Bytes signing_payload(ByteView call, uint64_t nonce, uint64_t tip, const ChainContext& context);

// compact(len) ‖ 0x84 ‖ 0x00 account ‖ sig type ‖ sig64 ‖ era ‖ compact(nonce) ‖
// compact(tip) ‖ call. The MultiSignature variant follows the signer's key type.
Bytes build_signed_extrinsic(ByteView call, const Signer& signer, uint64_t nonce, uint64_t tip,
                             const ChainContext& context);

struct SignedExtrinsic {
  AccountId signer{};
  KeyType key_type = KeyType::kSr25519;
  std::array<uint8_t, 64> signature{};
  uint64_t nonce = 0;
  uint64_t tip = 0;
  Bytes call;
};
// The inverse of build_signed_extrinsic for immortal eras; anything else is an error
// naming what is unsupported or malformed. The signature is not checked here.
absl::StatusOr<SignedExtrinsic> decode_signed_extrinsic(ByteView extrinsic);

}  // namespace rmb::core
