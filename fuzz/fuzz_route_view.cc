// The relay routes a frame from a view of its bytes (relay/route_view.h) instead of a full
// protobuf parse. The bytes come from any client of the relay. Differential: whenever the
// view reader answers, protobuf's own parser must accept the same bytes as an Envelope and
// read the same source, destination and message case; answering nullopt is always allowed
// (the relay then parses fully).
#include <cstdint>
#include <string_view>

#include "fuzz/harness.h"
#include "relay/route_view.h"
#include "rmb/types.pb.h"

namespace {

bool same_address(const rmb::relay::RouteAddress& view, const rmb::Address& parsed) {
  if (view.twin != parsed.twin()) return false;
  if (view.connection.has_value() != parsed.has_connection()) return false;
  return !view.connection || *view.connection == parsed.connection();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rmb::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto view = rmb::relay::read_route_view(bytes);
  if (!view) return 0;

  rmb::Envelope env;
  rmb::fuzz::require(env.ParseFromArray(data, static_cast<int>(size)));
  rmb::fuzz::require(view->message == env.message_case());
  rmb::fuzz::require(view->source.has_value() == env.has_source());
  if (view->source) rmb::fuzz::require(same_address(*view->source, env.source()));
  rmb::fuzz::require(same_address(view->destination, env.destination()));
  return 0;
}
