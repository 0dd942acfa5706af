#include "relay/route_view.h"

#include <climits>
#include <cstring>

namespace rmb::relay {
namespace {

constexpr uint32_t kVarint = 0;  // protobuf wire types
constexpr uint32_t kLength = 2;

// proto3 `string` fields must be UTF-8 or protobuf refuses the whole message; ASCII always
// is, anything else is left to protobuf's own check (nullopt).
bool is_ascii(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ULL) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) & 0x80) return false;
  }
  return true;
}

// Reads one message's fields. Every method answers false for what it does not read
// exactly as protobuf would; the caller then gives up on the view.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }

  bool tag(uint32_t& field, uint32_t& wire_type) {
    uint64_t v = 0;
    if (!varint(v, 5) || v > UINT32_MAX) return false;
    field = static_cast<uint32_t>(v >> 3);
    wire_type = static_cast<uint32_t>(v & 7);
    return field != 0;
  }
  bool u32(uint32_t& out) {
    uint64_t v = 0;
    if (!varint(v, 5) || v > UINT32_MAX) return false;
    out = static_cast<uint32_t>(v);
    return true;
  }
  bool u64() {
    uint64_t ignored = 0;
    return varint(ignored, 10);
  }
  bool bytes(std::string_view& out) {
    uint64_t size = 0;
    if (!varint(size, 5) || size > static_cast<uint64_t>(end_ - p_)) return false;
    out = std::string_view(reinterpret_cast<const char*>(p_), size);
    p_ += size;
    return true;
  }
  bool string(std::string_view& out) { return bytes(out) && is_ascii(out); }

 private:
  // A varint in its shortest encoding (what serializers write) of at most `max_bytes`;
  // longer encodings that protobuf also accepts are left to it.
  bool varint(uint64_t& v, int max_bytes) {
    // Tags and short lengths are one byte: most varints of an envelope.
    if (p_ != end_ && *p_ < 0x80) {
      v = *p_++;
      return true;
    }
    v = 0;
    for (int i = 0; i < max_bytes && p_ != end_; ++i) {
      const uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
      if (b < 0x80) return i == 0 || (b != 0 && (i < 9 || b == 1));
    }
    return false;
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

// Fields seen so far, by number: each singular field at most once (a repeated one would
// merge or override, which the view does not reproduce).
class Seen {
 public:
  bool first(uint32_t field) {
    const uint32_t bit = 1u << field;
    if (seen_ & bit) return false;
    seen_ |= bit;
    return true;
  }

 private:
  uint32_t seen_ = 0;  // field numbers < 32
};

// rmb.Address (1 twin uint32, 2 connection optional string) and rmb.Error (1 code uint32,
// 2 message string) have the same shape: each field at most once, nothing else.
bool read_number_and_text(std::string_view bytes, uint32_t& number, std::optional<std::string_view>& text) {
  WireReader in(bytes);
  Seen seen;
  while (!in.done()) {
    uint32_t field = 0, type = 0;
    if (!in.tag(field, type)) return false;
    if (field == 1 && type == kVarint && seen.first(1)) {
      if (!in.u32(number)) return false;
    } else if (field == 2 && type == kLength && seen.first(2)) {
      std::string_view value;
      if (!in.string(value)) return false;
      text = value;
    } else {
      return false;
    }
  }
  return true;
}

bool read_address(std::string_view bytes, RouteAddress& out) {
  return read_number_and_text(bytes, out.twin, out.connection);
}

// rmb.Request (1 command, string) and rmb.Error: only validated, the router does not read
// them on the way through.
bool check_request(std::string_view bytes) {
  WireReader in(bytes);
  Seen seen;
  while (!in.done()) {
    uint32_t field = 0, type = 0;
    std::string_view command;
    if (!in.tag(field, type) || field != 1 || type != kLength || !seen.first(1) || !in.string(command)) return false;
  }
  return true;
}

bool check_error(std::string_view bytes) {
  uint32_t code = 0;
  std::optional<std::string_view> message;
  return read_number_and_text(bytes, code, message);
}

}  // namespace

bool RouteView::source_is(const SessionId& id) const {
  if (!source || source->twin != id.twin || source->connection.has_value() != id.sid.has_value()) return false;
  return !id.sid || *source->connection == *id.sid;
}

SessionId RouteView::destination_session() const {
  SessionId id;
  id.twin = destination.twin;
  if (destination.connection) id.sid = std::string(*destination.connection);
  return id;
}

RouteView route_view_of(const rmb::Envelope& envelope) {
  auto address = [](const rmb::Address& a) {
    RouteAddress out;
    out.twin = a.twin();
    if (a.has_connection()) out.connection = a.connection();
    return out;
  };
  RouteView view;
  if (envelope.has_source()) view.source = address(envelope.source());
  view.destination = address(envelope.destination());
  view.message = envelope.message_case();
  return view;
}

std::optional<RouteView> read_route_view(std::string_view bytes) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return std::nullopt;
  RouteView view;
  WireReader in(bytes);
  Seen seen;
  bool payload = false;  // plain or cipher seen (oneof `payload`)
  while (!in.done()) {
    uint32_t field = 0, type = 0;
    if (!in.tag(field, type)) return std::nullopt;
    if (field == 3 || field == 4) {  // timestamp, expiration (uint64)
      if (type != kVarint || !seen.first(field) || !in.u64()) return std::nullopt;
      continue;
    }
    std::string_view value;
    if (type != kLength || field > 17 || !in.bytes(value)) return std::nullopt;
    switch (field) {
      case 1:   // uid
      case 2:   // tags
      case 10:  // schema
      case 11:  // federation
        if (!seen.first(field) || !is_ascii(value)) return std::nullopt;
        break;
      case 17:  // relays (repeated string)
        if (!is_ascii(value)) return std::nullopt;
        break;
      case 9:  // signature (bytes)
        if (!seen.first(field)) return std::nullopt;
        break;
      case 13:  // plain
      case 14:  // cipher
        if (payload) return std::nullopt;
        payload = true;
        break;
      case 5:
        if (!seen.first(field) || !read_address(value, view.source.emplace())) return std::nullopt;
        break;
      case 6:
        if (!seen.first(field) || !read_address(value, view.destination)) return std::nullopt;
        break;
      case 7:
      case 8:
      case 12:
      case 15:
      case 16: {
        // Oneof `message`: one of them, once. Response, Ping and Pong have no fields.
        if (view.message != rmb::Envelope::MESSAGE_NOT_SET) return std::nullopt;
        const bool ok = field == 7 ? check_request(value) : field == 12 ? check_error(value) : value.empty();
        if (!ok) return std::nullopt;
        view.message = static_cast<rmb::Envelope::MessageCase>(field);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return view;
}

}  // namespace rmb::relay
