#include "core/protocol/jwt/jwt.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace rmb::core {
namespace {

using nlohmann::json;

constexpr std::string_view kAlgorithm = "RS512";
// The header rmb-peer sends: the `jwt` crate emits `alg` only (§4.1).
constexpr std::string_view kHeaderJson = R"({"alg":"RS512"})";

// The relay wraps every `jwt` crate error as "invalid jwt: jwt: <Display of the error>"
// (§4.3); the crate's texts are kept where the error is the crate's own.
JwtError malformed(std::string_view detail) {
  return {JwtErrorKind::kMalformed, absl::StrCat("invalid jwt: jwt: ", std::string(detail))};
}

// Parses one base64url part as a JSON object.
std::variant<json, JwtError> decode_json_part(std::string_view part, std::string_view what) {
  auto raw = from_base64url(part);
  if (!raw.ok()) return malformed(absl::StrCat(std::string(what), ": invalid base64url"));
  json value = json::parse(raw->begin(), raw->end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return malformed(absl::StrCat(std::string(what), ": invalid JSON"));
  if (!value.is_object()) {
    return malformed(absl::StrCat(std::string(what), ": expected a JSON object"));
  }
  return value;
}

// serde's u32/u64: a non-negative JSON integer in range (floats and negatives fail).
template <typename T>
bool read_unsigned(const json& object, const char* key, T& out, JwtError& error) {
  auto it = object.find(key);
  if (it == object.end()) {
    error = malformed(absl::StrCat("missing field `", key, "`"));
    return false;
  }
  if (!it->is_number_unsigned() || it->get<uint64_t>() > std::numeric_limits<T>::max()) {
    error = malformed(absl::StrCat("invalid type or range for field `", key, "`"));
    return false;
  }
  out = static_cast<T>(it->get<uint64_t>());
  return true;
}

std::variant<JwtClaims, JwtError> read_claims(const json& object) {
  JwtClaims claims;
  JwtError error;
  if (!read_unsigned(object, "sub", claims.twin, error) || !read_unsigned(object, "iat", claims.iat, error) ||
      !read_unsigned(object, "exp", claims.exp, error)) {
    return error;
  }
  // rmb-peer sends null, Go omits it, TS sends a string (§4.1).
  if (auto it = object.find("sid"); it != object.end() && !it->is_null()) {
    if (!it->is_string()) return malformed("invalid type for field `sid`");
    claims.sid = it->get<std::string>();
  }
  return claims;
}

std::optional<JwtError> check_header(const json& header, std::string& algorithm) {
  auto alg = header.find("alg");
  if (alg == header.end()) return malformed("missing field `alg`");
  if (!alg->is_string()) return malformed("invalid type for field `alg`");
  algorithm = alg->get<std::string>();
  // The crate types `typ` and `cty` as enums whose only value is "JWT"; TS and Go send
  // typ "JWT".
  for (const char* key : {"typ", "cty"}) {
    auto it = header.find(key);
    if (it != header.end() && !it->is_null() && *it != "JWT") {
      return malformed(absl::StrCat("unsupported `", key, "` in header"));
    }
  }
  if (auto kid = header.find("kid"); kid != header.end() && !kid->is_null() && !kid->is_string()) {
    return malformed("invalid type for field `kid`");
  }
  return std::nullopt;
}

}  // namespace

std::string mint_jwt(const Signer& signer, uint32_t twin, const std::optional<std::string>& sid, uint64_t iat,
                     uint64_t ttl_seconds) {
  // Built as text so the bytes are exactly rmb-peer's: keys in serde's declaration order,
  // no whitespace. nlohmann only escapes the sid string; invalid UTF-8 in a caller's sid
  // becomes U+FFFD rather than an exception (a JSON text cannot carry it anyway).
  const std::string sid_json = sid ? json(*sid).dump(-1, ' ', false, json::error_handler_t::replace) : "null";
  const std::string claims_json =
      absl::StrCat(R"({"sub":)", twin, R"(,"sid":)", sid_json, R"(,"iat":)", iat, R"(,"exp":)", iat + ttl_seconds, "}");
  std::string token = absl::StrCat(base64url(as_bytes(kHeaderJson)), ".", base64url(as_bytes(claims_json)));
  const Signature65 signature = signer.sign(as_bytes(token));
  absl::StrAppend(&token, ".", base64url(signature));
  return token;
}

std::variant<ParsedJwt, JwtError> parse_jwt(std::string_view token) {
  // Same component rules and texts as the `jwt` crate's split.
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return malformed("No claims component found in token string");
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return malformed("No signature component found in token string");
  }
  if (token.find('.', second + 1) != std::string_view::npos) {
    return malformed("Too many components found in token string");
  }
  const std::string_view header_b64 = token.substr(0, first);
  const std::string_view claims_b64 = token.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = token.substr(second + 1);

  ParsedJwt out;
  auto header = decode_json_part(header_b64, "header");
  if (auto* error = std::get_if<JwtError>(&header)) return *error;
  if (auto error = check_header(std::get<json>(header), out.algorithm)) return *error;

  auto claims_json = decode_json_part(claims_b64, "claims");
  if (auto* error = std::get_if<JwtError>(&claims_json)) return *error;
  auto claims = read_claims(std::get<json>(claims_json));
  if (auto* error = std::get_if<JwtError>(&claims)) return *error;
  out.claims = std::move(std::get<JwtClaims>(claims));

  auto signature = from_base64url(signature_b64);
  if (!signature.ok()) return malformed("signature: invalid base64url");
  out.signature = std::move(*signature);
  out.signing_input = std::string(token.substr(0, second));
  return out;
}

std::optional<JwtError> verify_jwt(const ParsedJwt& jwt, const AccountId& account, uint64_t now, uint64_t iat_leeway) {
  if (now > jwt.claims.exp) return JwtError{JwtErrorKind::kExpired, "invalid jwt: jwt has expired"};
  // rmb-rs does not check iat at all. We reject a token minted further in the future than
  // the leeway (a clock far ahead or a forged long-lived token) as malformed rather than
  // expired: it is not stale, it is implausible. The leeway absorbs normal clock skew.
  if (jwt.claims.iat > now && jwt.claims.iat - now > iat_leeway) {
    return malformed("token issued in the future (iat)");
  }
  if (jwt.algorithm != kAlgorithm) {
    return JwtError{JwtErrorKind::kBadAlgorithm,
                    absl::StrCat("invalid jwt: jwt: Expected algorithm type RS512 but found ", jwt.algorithm)};
  }
  const absl::Status status = verify_signature(account, as_bytes(jwt.signing_input), jwt.signature);
  if (!status.ok()) {
    // The crate reports any verifier refusal as "Invalid signature"; the reason is kept so
    // a log line says why (wrong length, prefix, sr25519 missing).
    return JwtError{JwtErrorKind::kBadSignature,
                    absl::StrCat("invalid jwt: jwt: Invalid signature (", status.message(), ")")};
  }
  return std::nullopt;
}

JwtError unknown_twin_error(uint32_t twin) {
  return {JwtErrorKind::kUnknownTwin, absl::StrCat("twin not found ", twin)};
}

}  // namespace rmb::core
