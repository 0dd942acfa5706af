#pragma once
// The four JSON shapes of the rmb-peer Redis API (PROTOCOL.md §8.4), parsed and written the
// way rmb-rs (serde_json) does: compact, keys in the documented order, optional fields as
// `null` (never omitted), `dat` as standard padded base64 (kept as text here; the
// translation decodes it). Parsing ignores unknown keys (Go's `con`, Python's `err`,
// `uid`, `src`, `try`, `sig`, `pxy`, ...) and treats an absent optional key as null; a
// missing required key or a wrong type is an error naming the key.
//
// Both directions of every shape are here: the peer parses (a) and (c) and writes (b) and
// (d); tests, benchmarks and other clients write (a) and (c) and parse (b) and (d).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rmb::compat {

inline constexpr char kLocalQueue[] = "msgbus.system.local";
inline constexpr char kReplyQueue[] = "msgbus.system.reply";
inline constexpr char kBacklogPrefix[] = "msgbus.backlog.";
inline constexpr char kCommandPrefix[] = "msgbus.";
// LTRIM <list> 0 <kListCap - 1> after every push (§8.3).
inline constexpr uint32_t kListCap = 10000;

struct ErrorJson {
  uint32_t code = 0;
  std::string message;
};

// (a) app -> msgbus.system.local
struct RequestJson {
  uint64_t ver = 1;
  std::optional<std::string> ref;
  std::string cmd;
  uint64_t exp = 0;
  std::string dat;  // base64
  std::optional<std::string> tag;
  std::vector<uint32_t> dst;
  std::string ret;
  std::optional<std::string> shm;
  uint64_t now = 0;
};

// (b) peer -> msgbus.<cmd>
struct IncomingRequestJson {
  uint64_t ver = 1;
  std::string ref;  // the envelope uid
  std::string src;  // "<twin>" or "<twin>:<sid>"
  std::string cmd;
  uint64_t exp = 0;
  std::string dat;  // base64
  std::optional<std::string> tag;
  std::string ret{kReplyQueue};
  std::optional<std::string> shm;
  uint64_t now = 0;
};

// (c) app -> msgbus.system.reply
struct ResponseJson {
  uint64_t ver = 1;
  std::optional<std::string> ref;
  std::string dat;  // base64
  std::string dst;
  std::optional<std::string> shm;
  uint64_t now = 0;
  std::optional<ErrorJson> err;
};

// (d) peer -> the caller's `ret` list
struct IncomingResponseJson {
  uint64_t ver = 1;
  std::optional<std::string> ref;
  std::string dat;  // base64; "" for errors
  std::string src;  // responder; "0" relay error; "" local error
  std::optional<std::string> shm;
  uint64_t now = 0;
  std::optional<ErrorJson> err;
};

// A request that did not parse, with what could still be read of it, so that the caller
// can be answered on its `ret` list when that is a string.
struct RequestParseError {
  std::string message;
  std::optional<std::string> ret;
  std::optional<std::string> ref;
  size_t destinations = 0;  // length of `dst` when it is an array
};

struct RequestParse {
  std::optional<RequestJson> request;  // set on success
  RequestParseError error;             // meaningful when `request` is empty
};

RequestParse parse_request(std::string_view json);
absl::StatusOr<IncomingRequestJson> parse_incoming_request(std::string_view json);
absl::StatusOr<ResponseJson> parse_response(std::string_view json);
absl::StatusOr<IncomingResponseJson> parse_incoming_response(std::string_view json);

std::string to_json(const RequestJson& v);
std::string to_json(const IncomingRequestJson& v);
std::string to_json(const ResponseJson& v);
std::string to_json(const IncomingResponseJson& v);

}  // namespace rmb::compat
