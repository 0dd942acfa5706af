#pragma once
// For the tests against a real rmb-relay: the twins' directory file, relay flags, and
// envelopes signed by our twin (the links carry whatever bytes they are given).
#include <string>
#include <vector>

#include "rmb/types.pb.h"
#include "tests/support/twins.h"

namespace rmb::gateway::link {

// Writes <dir>/twins.json for `twins` (all on "relay.test") and returns the relay flags
// that use it.
std::vector<std::string> relay_flags(const std::string& dir, const std::vector<test::TestTwin>& twins);

// A request from `from` to twin `to` (no sid), signed by `from`.
rmb::Envelope signed_request(const test::TestTwin& from, uint32_t to, const std::string& payload);
std::string serialize(const rmb::Envelope& envelope);

}  // namespace rmb::gateway::link
