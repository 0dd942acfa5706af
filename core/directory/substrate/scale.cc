#include "core/directory/substrate/scale.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace rmb::core {

void ScaleWriter::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ScaleWriter::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ScaleWriter::compact(uint64_t v) {
  if (v < (uint64_t{1} << 6)) {
    out_.push_back(static_cast<uint8_t>(v << 2));
  } else if (v < (uint64_t{1} << 14)) {
    const uint16_t w = static_cast<uint16_t>((v << 2) | 0b01);
    out_.push_back(static_cast<uint8_t>(w));
    out_.push_back(static_cast<uint8_t>(w >> 8));
  } else if (v < (uint64_t{1} << 30)) {
    u32(static_cast<uint32_t>((v << 2) | 0b10));
  } else {
    // Big-integer mode: the low 6 bits of the header say how many bytes (minus 4) follow.
    uint8_t n = 0;
    for (uint64_t rest = v; rest != 0; rest >>= 8) ++n;
    out_.push_back(static_cast<uint8_t>(((n - 4) << 2) | 0b11));
    for (uint8_t i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
}

void ScaleWriter::bytes(ByteView b) {
  compact(b.size());
  raw(b);
}

void ScaleWriter::option_bytes(const std::optional<Bytes>& b) {
  if (!b) {
    u8(0);
    return;
  }
  u8(1);
  bytes(*b);
}

absl::Status ScaleReader::truncated(absl::string_view field, size_t need) const {
  return absl::InvalidArgumentError(
      absl::StrCat("truncated ", what_, ": ", field, " needs ", need, " bytes, ", remaining(), " left"));
}

absl::StatusOr<ByteView> ScaleReader::raw(size_t n, absl::string_view field) {
  if (remaining() < n) return truncated(field, n);
  ByteView out = in_.subspan(pos_, n);
  pos_ += n;
  return out;
}

absl::StatusOr<uint8_t> ScaleReader::u8(absl::string_view field) {
  auto b = raw(1, field);
  if (!b.ok()) return b.status();
  return (*b)[0];
}

absl::StatusOr<uint32_t> ScaleReader::u32(absl::string_view field) {
  auto b = raw(4, field);
  if (!b.ok()) return b.status();
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | (*b)[i];
  return v;
}

absl::StatusOr<uint64_t> ScaleReader::u64(absl::string_view field) {
  auto b = raw(8, field);
  if (!b.ok()) return b.status();
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | (*b)[i];
  return v;
}

absl::StatusOr<uint64_t> ScaleReader::compact(absl::string_view field) {
  if (remaining() < 1) return truncated(field, 1);
  const uint8_t head = in_[pos_];
  auto non_canonical = [&] {
    return absl::InvalidArgumentError(absl::StrCat("bad ", what_, ": ", field, " is a non-canonical compact integer"));
  };
  switch (head & 0b11) {
    case 0b00:
      ++pos_;
      return head >> 2;
    case 0b01: {
      auto b = raw(2, field);
      if (!b.ok()) return b.status();
      const uint64_t v = ((*b)[0] | ((*b)[1] << 8)) >> 2;
      if (v < (1u << 6)) return non_canonical();
      return v;
    }
    case 0b10: {
      auto w = u32(field);
      if (!w.ok()) return w.status();
      const uint64_t v = *w >> 2;
      if (v < (1u << 14)) return non_canonical();
      return v;
    }
    default: {
      const size_t n = (head >> 2) + 4;
      if (n > 8) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad ", what_, ": ", field, " compact integer of ", n, " bytes overflows u64"));
      }
      auto b = raw(1 + n, field);
      if (!b.ok()) return b.status();
      uint64_t v = 0;
      for (size_t i = n; i >= 1; --i) v = (v << 8) | (*b)[i];
      // Canonical: needs the big-integer mode and uses no more bytes than necessary.
      if (v < (uint64_t{1} << 30) || (*b)[n] == 0) return non_canonical();
      return v;
    }
  }
}

absl::StatusOr<Bytes> ScaleReader::bytes(size_t max_len, absl::string_view field) {
  const std::string len_field = absl::StrCat(field, " length");
  auto len = compact(len_field);
  if (!len.ok()) return len.status();
  if (*len > max_len) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad ", what_, ": ", field, " is ", *len, " bytes, at most ", max_len, " allowed"));
  }
  auto b = raw(static_cast<size_t>(*len), field);
  if (!b.ok()) return b.status();
  return Bytes(b->begin(), b->end());
}

absl::StatusOr<std::optional<Bytes>> ScaleReader::option_bytes(size_t max_len, absl::string_view field) {
  auto tag = u8(absl::StrCat(field, " option tag"));
  if (!tag.ok()) return tag.status();
  if (*tag == 0) return std::optional<Bytes>();
  if (*tag != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad ", what_, ": ", field, " option tag is ", *tag, ", expected 0 or 1"));
  }
  auto b = bytes(max_len, field);
  if (!b.ok()) return b.status();
  return std::optional<Bytes>(*std::move(b));
}

absl::Status ScaleReader::expect_end() const {
  if (remaining() == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("overlong ", what_, ": ", remaining(), " bytes left after the last field"));
}

Bytes encode_chain_twin(const ChainTwin& twin) {
  ScaleWriter w;
  w.u32(twin.id);
  w.raw(twin.account);
  w.option_bytes(twin.relay);
  w.compact(twin.entities.size());
  for (const auto& e : twin.entities) {
    w.u32(e.entity_id);
    w.bytes(e.signature);
  }
  w.option_bytes(twin.pk);
  return w.take();
}

absl::StatusOr<ChainTwin> decode_chain_twin(ByteView scale) {
  ScaleReader r(scale, "Twin");
  ChainTwin t;
  auto id = r.u32("id");
  if (!id.ok()) return id.status();
  t.id = *id;
  auto account = r.raw(32, "account_id");
  if (!account.ok()) return account.status();
  std::copy(account->begin(), account->end(), t.account.begin());
  auto relay = r.option_bytes(kChainRelayMaxBytes, "relay");
  if (!relay.ok()) return relay.status();
  t.relay = *std::move(relay);
  auto n = r.compact("entities count");
  if (!n.ok()) return n.status();
  // Each entity takes at least 5 bytes: refuse a count the input cannot hold before
  // reserving anything for it.
  if (*n > r.remaining() / 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("truncated Twin: ", *n, " entities announced, ", r.remaining(), " bytes left"));
  }
  for (uint64_t i = 0; i < *n; ++i) {
    EntityProof e;
    auto eid = r.u32("entity_id");
    if (!eid.ok()) return eid.status();
    e.entity_id = *eid;
    auto sig = r.bytes(r.remaining(), "entity signature");
    if (!sig.ok()) return sig.status();
    e.signature = *std::move(sig);
    t.entities.push_back(std::move(e));
  }
  auto pk = r.option_bytes(kChainPkMaxBytes, "pk");
  if (!pk.ok()) return pk.status();
  t.pk = *std::move(pk);
  if (auto st = r.expect_end(); !st.ok()) return st;
  return t;
}

Twin twin_from_chain(const ChainTwin& chain) {
  Twin t;
  t.id = chain.id;
  t.account = chain.account;
  if (chain.relay) {
    for (absl::string_view part : absl::StrSplit(absl::string_view(as_chars(*chain.relay).data(), chain.relay->size()),
                                                 '_', absl::SkipEmpty())) {
      t.relays.emplace(part);
    }
  }
  t.pk = chain.pk;
  return t;
}

std::optional<Bytes> join_relays(const std::set<std::string>& relays) {
  if (relays.empty()) return std::nullopt;
  const std::string joined = absl::StrJoin(relays, "_");
  return Bytes(joined.begin(), joined.end());
}

ChainTwin chain_twin_from(const Twin& twin) {
  ChainTwin c;
  c.id = twin.id;
  c.account = twin.account;
  c.relay = join_relays(twin.relays);
  c.pk = twin.pk;
  return c;
}

absl::StatusOr<uint32_t> decode_twin_id(ByteView scale) {
  ScaleReader r(scale, "TwinIdByAccountID value");
  auto id = r.u32("twin id");
  if (!id.ok()) return id.status();
  if (auto st = r.expect_end(); !st.ok()) return st;
  return *id;
}

}  // namespace rmb::core
