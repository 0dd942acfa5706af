#pragma once
// Substrate storage hashers and the two tfgrid map keys RMB reads (PROTOCOL.md §10.2).
#include <array>
#include <string_view>

#include "core/protocol/identity/key_type.h"
#include "core/util/bytes.h"

namespace rmb::core {

using Hash128 = std::array<uint8_t, 16>;
using Hash256 = std::array<uint8_t, 32>;

// xxh64(x, seed 0) LE ‖ xxh64(x, seed 1) LE, with Debian's libxxhash.
Hash128 twox128(ByteView data);
inline Hash128 twox128(std::string_view text) { return twox128(as_bytes(text)); }
// Unkeyed BLAKE2b with a 16- or 32-byte digest (libsodium crypto_generichash).
Hash128 blake2b_128(ByteView data);
Hash256 blake2b_256(ByteView data);

// twox128("TfgridModule") ‖ twox128("Twins") ‖ blake2b128(u32_le(id)) ‖ u32_le(id)
Bytes twins_storage_key(uint32_t id);
// twox128("TfgridModule") ‖ twox128("TwinIdByAccountID") ‖ blake2b128(acct) ‖ acct
Bytes twin_id_by_account_storage_key(const AccountId& account);

}  // namespace rmb::core
