// Substrate secret URIs (PROTOCOL.md §3.1): sp_core's SecretUri grammar
//   ^(?P<phrase>[a-zA-Z0-9 ]+)?(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$
// DeriveJunction encoding and the ed25519 / sr25519 derivations of Pair::derive.
//
// PROTOCOL.md §3.1 marks the junction encoding UNCONFIRMED in detail. We follow sp_core,
// which is what rmb-peer links: a junction that Rust's u64::from_str accepts (digits, an
// optional '+') is its u64 LE, anything else is the SCALE string. polkadot.js differs only
// at the edges (numbers above u64 become 256-bit LE there, "0x.." junctions raw bytes);
// the common cases agree, as tests/interop_sr25519 checks against it.
#include <sodium.h>

#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/protocol/identity/ed25519.h"
#include "core/protocol/identity/mnemonic.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/sr25519.h"

namespace rmb::core {
namespace {

void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
}

// SCALE compact length prefix; junction text is bounded by the URI, far below 2^30.
void append_compact(Bytes& out, size_t n) {
  if (n < (1u << 6)) {
    out.push_back(static_cast<uint8_t>(n << 2));
  } else if (n < (1u << 14)) {
    const auto v = static_cast<uint16_t>((n << 2) | 1);
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  } else {
    const auto v = static_cast<uint32_t>((n << 2) | 2);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
}

// Rust's u64::from_str: an optional '+', then one or more ASCII digits, no overflow.
std::optional<uint64_t> parse_u64(std::string_view text) {
  if (text.starts_with('+')) text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool is_phrase_char(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == ' '; }

Seed ed25519_hard_derive(const Seed& seed, const std::array<uint8_t, 32>& chain_code) {
  // blake2b-256(SCALE(("Ed25519HDKD", seed, chain_code))): a compact-prefixed string
  // followed by two fixed-size arrays (no prefixes).
  Bytes encoded;
  constexpr std::string_view kTag = "Ed25519HDKD";
  append_compact(encoded, kTag.size());
  encoded.insert(encoded.end(), kTag.begin(), kTag.end());
  encoded.insert(encoded.end(), seed.begin(), seed.end());
  encoded.insert(encoded.end(), chain_code.begin(), chain_code.end());
  Seed out{};
  crypto_generichash(out.data(), out.size(), encoded.data(), encoded.size(), nullptr, 0);
  sodium_memzero(encoded.data(), encoded.size());
  return out;
}

absl::StatusOr<Seed> root_seed(const SecretUri& uri) {
  const std::string_view phrase = uri.phrase;
  if (phrase.starts_with("0x") || phrase.starts_with("0X")) {
    // sp_core ignores the password for a hex seed.
    return parse_secret(phrase);
  }
  auto entropy = mnemonic_to_entropy(phrase);
  if (!entropy.ok()) return entropy.status();
  Seed seed = mini_secret_from_entropy(*entropy, uri.password.value_or(""));
  sodium_memzero(entropy->data(), entropy->size());
  return seed;
}

}  // namespace

SecretUri::~SecretUri() {
  wipe(phrase);
  if (password) wipe(*password);
}

DeriveJunction derive_junction(std::string_view text, bool hard) {
  Bytes encoded;
  if (auto number = parse_u64(text)) {
    for (int i = 0; i < 8; ++i) encoded.push_back(static_cast<uint8_t>(*number >> (8 * i)));
  } else {
    append_compact(encoded, text.size());
    encoded.insert(encoded.end(), text.begin(), text.end());
  }
  DeriveJunction junction;
  junction.hard = hard;
  if (encoded.size() > junction.chain_code.size()) {
    crypto_generichash(junction.chain_code.data(), junction.chain_code.size(), encoded.data(), encoded.size(), nullptr,
                       0);
  } else {
    std::copy(encoded.begin(), encoded.end(), junction.chain_code.begin());
  }
  return junction;
}

absl::StatusOr<SecretUri> parse_secret_uri(std::string_view uri) {
  std::string_view text = uri;
  // Tolerate the surrounding whitespace of a secret read from a file or pasted.
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) {
    return absl::InvalidArgumentError(
        "invalid secret: it is empty (expected a mnemonic, 0x + 64 hex digits, or a URI like //Alice)");
  }

  SecretUri out;
  const size_t slash = text.find('/');
  const std::string_view phrase = text.substr(0, slash);
  for (size_t i = 0; i < phrase.size(); ++i) {
    if (!is_phrase_char(phrase[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid secret URI: character ", i + 1, " of the phrase is not a letter, digit or space"));
    }
  }
  out.phrase = phrase.empty() ? std::string(kDevPhrase) : std::string(phrase);
  if (slash == std::string_view::npos) return out;

  // Junctions never contain "///" (one or two slashes, then non-slashes), so the first
  // "///" starts the password, which may itself contain slashes.
  std::string_view rest = text.substr(slash);
  const size_t pw = rest.find("///");
  if (pw != std::string_view::npos) {
    out.password = std::string(rest.substr(pw + 3));
    rest = rest.substr(0, pw);
  }
  while (!rest.empty()) {
    // rest starts with '/' here.
    bool hard = false;
    rest.remove_prefix(1);
    if (rest.starts_with('/')) {
      hard = true;
      rest.remove_prefix(1);
    }
    const size_t end = rest.find('/');
    const std::string_view name = rest.substr(0, end);
    if (name.empty()) {
      return absl::InvalidArgumentError(
          "invalid secret URI: empty junction in the derivation path (expected //hard or /soft)");
    }
    out.path.push_back(derive_junction(name, hard));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Signer>> signer_from_uri(KeyType type, std::string_view uri) {
  auto parsed = parse_secret_uri(uri);
  if (!parsed.ok()) return parsed.status();
  auto seed = root_seed(*parsed);
  if (!seed.ok()) return seed.status();

  switch (type) {
    case KeyType::kEd25519: {
      Seed acc = *seed;
      sodium_memzero(seed->data(), seed->size());
      for (const auto& junction : parsed->path) {
        if (!junction.hard) {
          sodium_memzero(acc.data(), acc.size());
          return absl::InvalidArgumentError(
              "invalid secret URI: ed25519 supports only hard (//) derivation, not soft (/)");
        }
        acc = ed25519_hard_derive(acc, junction.chain_code);
      }
      auto signer = std::make_unique<Ed25519Signer>(acc);
      sodium_memzero(acc.data(), acc.size());
      return signer;
    }
    case KeyType::kSr25519: {
      Sr25519SecretKey key = sr25519_expand(*seed);
      sodium_memzero(seed->data(), seed->size());
      for (const auto& junction : parsed->path) {
        if (junction.hard) {
          Seed mini = sr25519_hard_derive(key, junction.chain_code);
          key = sr25519_expand(mini);
          sodium_memzero(mini.data(), mini.size());
        } else {
          key = sr25519_soft_derive(key, junction.chain_code);
        }
      }
      return std::make_unique<Sr25519Signer>(key);
    }
  }
  return absl::InvalidArgumentError("unknown key type");
}

}  // namespace rmb::core
