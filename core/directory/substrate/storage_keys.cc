#include "core/directory/substrate/storage_keys.h"

#include <sodium.h>
#include <xxhash.h>

namespace rmb::core {
namespace {

void put_u64_le(uint64_t v, uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Blake2_128Concat: the hash of the key followed by the key itself, so keys can be
// recovered from storage listings.
void append_blake2_128_concat(Bytes& out, ByteView key) {
  const Hash128 h = blake2b_128(key);
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), key.begin(), key.end());
}

Bytes map_prefix(std::string_view pallet, std::string_view item) {
  Bytes out;
  const Hash128 p = twox128(pallet), i = twox128(item);
  out.insert(out.end(), p.begin(), p.end());
  out.insert(out.end(), i.begin(), i.end());
  return out;
}

// A non-null pointer for empty input: libsodium's parameters are declared nonnull.
const uint8_t* data_or_dummy(ByteView data) {
  static const uint8_t kDummy = 0;
  return data.empty() ? &kDummy : data.data();
}

}  // namespace

Hash128 twox128(ByteView data) {
  Hash128 out{};
  put_u64_le(XXH64(data.data(), data.size(), 0), out.data());
  put_u64_le(XXH64(data.data(), data.size(), 1), out.data() + 8);
  return out;
}

Hash128 blake2b_128(ByteView data) {
  Hash128 out{};
  crypto_generichash(out.data(), out.size(), data_or_dummy(data), data.size(), nullptr, 0);
  return out;
}

Hash256 blake2b_256(ByteView data) {
  Hash256 out{};
  crypto_generichash(out.data(), out.size(), data_or_dummy(data), data.size(), nullptr, 0);
  return out;
}

Bytes twins_storage_key(uint32_t id) {
  Bytes key = map_prefix("TfgridModule", "Twins");
  const uint8_t le[4] = {static_cast<uint8_t>(id), static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id >> 16),
                         static_cast<uint8_t>(id >> 24)};
  append_blake2_128_concat(key, ByteView(le, 4));
  return key;
}

Bytes twin_id_by_account_storage_key(const AccountId& account) {
  Bytes key = map_prefix("TfgridModule", "TwinIdByAccountID");
  append_blake2_128_concat(key, account);
  return key;
}

}  // namespace rmb::core
