#include "core/protocol/e2e/cipher.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>
#include <memory>

namespace rmb::core {
namespace {

// Fetched once: an implicit fetch per EVP_*Init_ex costs a provider lookup per message.
const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (fetched == nullptr) std::abort();  // the default provider always has it
    return fetched;
  }();
  return cipher;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

// One context per thread, re-initialised per message, so the hot path allocates only
// the output buffer.
EVP_CIPHER_CTX* thread_ctx() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) std::abort();
  return ctx.get();
}

int as_int(size_t n) { return static_cast<int>(n); }

absl::Status invalid_cipher() { return absl::InvalidArgumentError("invalid cipher data"); }

}  // namespace

Bytes e2e_encrypt(const SharedKey& key, ByteView plain) {
  static const bool sodium_ready = sodium_init() >= 0;
  if (!sodium_ready) std::abort();
  std::array<uint8_t, kNonceSize> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return e2e_encrypt_with_nonce(key, plain, nonce);
}

Bytes e2e_encrypt_with_nonce(const SharedKey& key, ByteView plain, const std::array<uint8_t, kNonceSize>& nonce) {
  // EVP lengths are int; envelopes are bounded far below 2 GiB by every transport.
  if (plain.size() > static_cast<size_t>(INT32_MAX) - kNonceSize - kTagSize) std::abort();
  Bytes out(kNonceSize + plain.size() + kTagSize);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  EVP_CIPHER_CTX* ctx = thread_ctx();
  int len = 0;
  // GCM's default IV length is 12, so key and nonce go in with the init call.
  bool ok =
      EVP_EncryptInit_ex(ctx, aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
      EVP_EncryptUpdate(ctx, out.data() + kNonceSize, &len, plain.data(), as_int(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, out.data() + kNonceSize + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, as_int(kTagSize), out.data() + kNonceSize + plain.size()) == 1;
  // Encryption with a valid key cannot fail short of memory exhaustion.
  if (!ok) std::abort();
  return out;
}

absl::StatusOr<Bytes> e2e_decrypt(const SharedKey& key, ByteView cipher) {
  // Rust returns the same error for a short input and a bad tag; a payload shorter than
  // nonce + tag cannot authenticate either.
  if (cipher.size() < kNonceSize + kTagSize || cipher.size() > static_cast<size_t>(INT32_MAX)) {
    return invalid_cipher();
  }
  const size_t body = cipher.size() - kNonceSize - kTagSize;
  Bytes out(body);
  EVP_CIPHER_CTX* ctx = thread_ctx();
  int len = 0;
  // GET/SET_TAG takes a non-const pointer but only reads it when setting.
  uint8_t tag[kTagSize];
  std::copy(cipher.end() - kTagSize, cipher.end(), tag);
  const bool ok = EVP_DecryptInit_ex(ctx, aes_256_gcm(), nullptr, key.data(), cipher.data()) == 1 &&
                  EVP_DecryptUpdate(ctx, out.data(), &len, cipher.data() + kNonceSize, as_int(body)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, as_int(kTagSize), tag) == 1 &&
                  EVP_DecryptFinal_ex(ctx, out.data() + len, &len) == 1;
  if (!ok) {
    sodium_memzero(out.data(), out.size());
    return invalid_cipher();
  }
  return out;
}

}  // namespace rmb::core
