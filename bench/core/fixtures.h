#pragma once
// Shared inputs for the core benchmarks: keys, envelopes and payloads of a given size.
#include <openssl/evp.h>

#include <cstdint>
#include <string>

#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/ed25519.h"
#include "rmb/types.pb.h"

namespace rmb::core::bench {

// Payload sizes every per-message benchmark runs at.
inline constexpr int64_t kSizes[] = {64, 1024, 64 * 1024};

const Ed25519Signer& signer();
// Own e2e key and the peer we talk to (two §9.4 keys).
const E2eKey& own_e2e();
const E2eKey& peer_e2e();

std::string payload(size_t size);
// A request envelope like rmb-peer sends, with a plain payload of `size` bytes.
rmb::Envelope request_envelope(size_t size);

// The bare primitives, fetched once like the library does.
const EVP_MD* md5();
const EVP_CIPHER* aes_256_gcm();

}  // namespace rmb::core::bench
