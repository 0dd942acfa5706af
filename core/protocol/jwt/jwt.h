#pragma once
// Relay authentication tokens (PROTOCOL.md §4): header {"alg":"RS512"}, claims
// {"sub","sid","iat","exp"}, base64url without padding, the 65-byte prefixed signature
// over the raw signing input (no hashing).
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/protocol/identity/signer.h"

namespace rmb::core {

struct JwtClaims {
  uint32_t twin = 0;               // sub
  std::optional<std::string> sid;  // null / missing = no session; "" is a session
  uint64_t iat = 0;
  uint64_t exp = 0;
};

enum class JwtErrorKind { kMalformed, kBadAlgorithm, kExpired, kUnknownTwin, kBadSignature };

struct JwtError {
  JwtErrorKind kind;
  std::string message;  // the relay's HTTP body text (§4.3), e.g. "invalid jwt: jwt has expired"
};

// A token split and decoded, not yet verified.
struct ParsedJwt {
  JwtClaims claims;
  std::string algorithm;
  std::string signing_input;  // header_b64 "." claims_b64
  Bytes signature;            // decoded third part
};

std::string mint_jwt(const Signer& signer, uint32_t twin, const std::optional<std::string>& sid, uint64_t iat,
                     uint64_t ttl_seconds = 300);

// Accepts the rmb-rs, TS and Go header/claim variants (§4.1). Returns kMalformed for
// wrong part counts, bad base64 or JSON, missing claims, typ/cty other than "JWT".
std::variant<ParsedJwt, JwtError> parse_jwt(std::string_view token);
// Expiry (`now > exp` -> kExpired; iat up to `iat_leeway` s in the future accepted, further
// -> kMalformed: the token is implausible rather than stale), algorithm (must be RS512)
// and signature against the twin's account.
std::optional<JwtError> verify_jwt(const ParsedJwt& jwt, const AccountId& account, uint64_t now,
                                   uint64_t iat_leeway = 60);
// The relay's error for a `sub` with no twin in the directory: "twin not found <id>".
JwtError unknown_twin_error(uint32_t twin);

}  // namespace rmb::core
