// The four JSON shapes of the Redis queues (compat/shapes.h): what an application pushes
// to msgbus.system.local / msgbus.system.reply is read by rmb-peer, whatever it is. Any text
// must parse or fail with a message, and what parses must come back unchanged through
// to_json -> parse (the peer re-writes these shapes for the other side).
#include <cstdint>
#include <string>
#include <string_view>

#include "compat/shapes.h"
#include "fuzz/harness.h"

namespace {

using rmb::fuzz::require;

// to_json is a fixed point after one parse: parse(to_json(v)) writes the same text again.
template <typename Parse>
void require_round_trip(const std::string& written, Parse parse) {
  auto again = parse(written);
  require(again.ok());
  require(rmb::compat::to_json(*again) == written);
}

template <typename Parse>
void check(std::string_view text, Parse parse) {
  auto parsed = parse(text);
  if (!parsed.ok()) {
    require(!parsed.status().message().empty());
    return;
  }
  require_round_trip(rmb::compat::to_json(*parsed), parse);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rmb::compat;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  RequestParse request = parse_request(text);
  if (request.request) {
    const std::string written = to_json(*request.request);
    RequestParse again = parse_request(written);
    require(again.request.has_value());
    require(to_json(*again.request) == written);
  } else {
    require(!request.error.message.empty());
  }
  check(text, [](std::string_view t) { return parse_incoming_request(t); });
  check(text, [](std::string_view t) { return parse_response(t); });
  check(text, [](std::string_view t) { return parse_incoming_response(t); });
  return 0;
}
