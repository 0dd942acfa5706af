// Relay tokens from the query string: parse and verify any text without crashing, with
// distinct error kinds, and for every token that parses, re-minting its claims gives a
// token that parses to the same claims and verifies.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/protocol/identity/ed25519.h"
#include "core/protocol/jwt/jwt.h"
#include "fuzz/harness.h"

namespace {

using namespace rmb::core;

const Ed25519Signer& signer() { return rmb::fuzz::appendix_a_signer(); }
using rmb::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_jwt(token);
  if (auto* error = std::get_if<JwtError>(&parsed)) {
    require(error->kind == JwtErrorKind::kMalformed && !error->message.empty());
    return 0;
  }
  const ParsedJwt& jwt = std::get<ParsedJwt>(parsed);
  // Before expiry, at expiry, after: each gives a result, never a crash.
  for (uint64_t now : {jwt.claims.iat, jwt.claims.exp, jwt.claims.exp + 1}) {
    if (auto error = verify_jwt(jwt, signer().account(), now)) require(!error->message.empty());
  }

  // exp - iat may be anything in a foreign token; mint with iat and the same exp.
  if (jwt.claims.exp < jwt.claims.iat) return 0;
  const std::string minted =
      mint_jwt(signer(), jwt.claims.twin, jwt.claims.sid, jwt.claims.iat, jwt.claims.exp - jwt.claims.iat);
  auto reparsed = parse_jwt(minted);
  require(std::holds_alternative<ParsedJwt>(reparsed));
  const JwtClaims& claims = std::get<ParsedJwt>(reparsed).claims;
  require(claims.twin == jwt.claims.twin && claims.sid == jwt.claims.sid && claims.iat == jwt.claims.iat &&
          claims.exp == jwt.claims.exp);
  require(!verify_jwt(std::get<ParsedJwt>(reparsed), signer().account(), jwt.claims.iat));
  return 0;
}
