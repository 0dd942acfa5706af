#pragma once
// The few SCALE codec pieces the tfchain backend needs (PROTOCOL.md §10): fixed-width
// little-endian integers, compact integers in all four modes, length-prefixed byte
// vectors, Option<Vec<u8>>, and the tfgrid `Twin` record. No Debian package offers a
// SCALE codec for C++, so this small subset is written here.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/directory/twin.h"
#include "core/util/bytes.h"

namespace rmb::core {

// Bounds of the tfgrid pallet's BoundedVecs (PROTOCOL.md §11).
inline constexpr size_t kChainRelayMaxBytes = 1024;
inline constexpr size_t kChainPkMaxBytes = 128;

class ScaleWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void compact(uint64_t v);
  void raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void bytes(ByteView b);  // compact(len) ‖ b
  void option_bytes(const std::optional<Bytes>& b);

  const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Reads from a borrowed buffer. Every error names `what` (e.g. "Twin") and the field
// being read, so "truncated Twin: relay length needs 2 bytes, 1 left" reaches the log.
class ScaleReader {
 public:
  ScaleReader(ByteView in, absl::string_view what) : in_(in), what_(what) {}

  absl::StatusOr<uint8_t> u8(absl::string_view field);
  absl::StatusOr<uint32_t> u32(absl::string_view field);
  absl::StatusOr<uint64_t> u64(absl::string_view field);
  // Canonical encodings only (the smallest mode that fits), as parity-scale-codec.
  absl::StatusOr<uint64_t> compact(absl::string_view field);
  absl::StatusOr<ByteView> raw(size_t n, absl::string_view field);
  absl::StatusOr<Bytes> bytes(size_t max_len, absl::string_view field);
  absl::StatusOr<std::optional<Bytes>> option_bytes(size_t max_len, absl::string_view field);

  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  // Error when bytes are left over (overlong input).
  absl::Status expect_end() const;

 private:
  absl::Status truncated(absl::string_view field, size_t need) const;
  ByteView in_;
  size_t pos_ = 0;
  absl::string_view what_;
};

struct EntityProof {
  uint32_t entity_id = 0;
  Bytes signature;
  bool operator==(const EntityProof&) const = default;
};

// `pallet_tfgrid::types::Twin<AccountId32>` exactly as stored on chain (§10.1).
struct ChainTwin {
  uint32_t id = 0;
  AccountId account{};
  std::optional<Bytes> relay;
  std::vector<EntityProof> entities;
  std::optional<Bytes> pk;
  bool operator==(const ChainTwin&) const = default;
};

Bytes encode_chain_twin(const ChainTwin& twin);
// The whole input must be one Twin: truncated or overlong input is an error.
absl::StatusOr<ChainTwin> decode_chain_twin(ByteView scale);

// Chain record <-> directory view. `relay` is split on '_' into a set (§6.2); empty
// parts are dropped. The reverse joins the sorted set with '_' (None when empty).
Twin twin_from_chain(const ChainTwin& chain);
ChainTwin chain_twin_from(const Twin& twin);
std::optional<Bytes> join_relays(const std::set<std::string>& relays);

// Value of TwinIdByAccountID: a u32 LE, nothing else.
absl::StatusOr<uint32_t> decode_twin_id(ByteView scale);

}  // namespace rmb::core
