#include "core/protocol/envelope/challenge.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace rmb::core {
namespace {

// Walks the challenge fields of PROTOCOL.md §2.1 in order and hands each piece to `put`.
// One walker serves both the text form (tests) and the digest (hot path), so the two can
// never disagree.
template <typename Put>
void walk_challenge(const rmb::Envelope& env, Put&& put) {
  auto put_number = [&put](uint64_t value) {
    char buf[20];  // u64 max has 20 decimal digits
    auto res = std::to_chars(buf, buf + sizeof(buf), value);
    put(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
  };
  // An absent Address reads as the default one, i.e. "0" (rmb-rs). Go writes nothing and
  // TS throws, so senders always set both; reading it like Rust interoperates with the
  // reference implementation, whose peers are the bulk of the network.
  auto put_address = [&](const rmb::Address& address) {
    put_number(address.twin());
    if (address.has_connection()) put(address.connection());
  };

  put(env.uid());
  if (env.has_tags()) put(env.tags());
  put_number(env.timestamp());
  put_number(env.expiration());
  put_address(env.source());
  put_address(env.destination());
  switch (env.message_case()) {
    case rmb::Envelope::kRequest:
      put(env.request().command());
      break;
    case rmb::Envelope::kError:
      put_number(env.error().code());
      put(env.error().message());
      break;
    default:  // response, ping, pong, unset: nothing
      break;
  }
  if (env.has_schema()) put(env.schema());
    // `federation` is deprecated for writers only; it still belongs to the challenge (§2.1),
    // so reading it here is the one use the deprecation must not stop.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  if (env.has_federation()) put(env.federation());
#pragma GCC diagnostic pop
  switch (env.payload_case()) {
    case rmb::Envelope::kPlain:
      put(env.plain());
      break;
    case rmb::Envelope::kCipher:
      put(env.cipher());
      break;
    default:
      break;
  }
  for (const auto& relay : env.relays()) put(relay);
}

// MD5 is looked up once: an implicit fetch on every EVP_DigestInit_ex costs a provider
// lookup per message under OpenSSL 3.
const EVP_MD* md5() {
  static EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "MD5", nullptr);
    if (fetched == nullptr) std::abort();  // the default provider always has MD5
    return fetched;
  }();
  return md;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string challenge_bytes(const rmb::Envelope& envelope) {
  std::string out;
  walk_challenge(envelope, [&out](std::string_view piece) { out.append(piece); });
  return out;
}

Digest16 challenge_digest(const rmb::Envelope& envelope) {
  // One context per thread, reset per use, so the hot path allocates nothing.
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md5(), nullptr) != 1) std::abort();
  walk_challenge(envelope, [c = ctx.get()](std::string_view piece) {
    if (!piece.empty()) EVP_DigestUpdate(c, piece.data(), piece.size());
  });
  Digest16 digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &len);
  return digest;
}

}  // namespace rmb::core
