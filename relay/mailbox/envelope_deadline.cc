#include "relay/mailbox/envelope_deadline.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace rmb::relay {

std::optional<uint64_t> envelope_deadline(std::string_view bytes) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  uint64_t timestamp = 0, expiration = 0;
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    // Envelope fields 3 (timestamp) and 4 (expiration), both varints (types.proto).
    if (tag == WireFormatLite::MakeTag(3, WireFormatLite::WIRETYPE_VARINT)) {
      if (!in.ReadVarint64(&timestamp)) return std::nullopt;
    } else if (tag == WireFormatLite::MakeTag(4, WireFormatLite::WIRETYPE_VARINT)) {
      if (!in.ReadVarint64(&expiration)) return std::nullopt;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return std::nullopt;
    }
  }
  if (!in.ConsumedEntireMessage()) return std::nullopt;
  if (expiration > UINT64_MAX - timestamp) return UINT64_MAX;
  return timestamp + expiration;
}

}  // namespace rmb::relay
