#include "compat/errors.h"

#include "absl/strings/str_cat.h"
#include "core/protocol/errors.h"

namespace rmb::compat {

namespace rmb_error = core::rmb_error;

namespace {
absl::string_view sv(std::string_view s) { return {s.data(), s.size()}; }
}  // namespace

gateway::RmbError expired_error() { return {rmb_error::kExpired, rmb_error::text(rmb_error::kExpired)}; }
gateway::RmbError bad_base64_error() { return other_error("invalid data base64 encoding"); }
gateway::RmbError invalid_request_error(std::string_view what) {
  return other_error(absl::StrCat("invalid request: ", sv(what)));
}
gateway::RmbError no_destination_error() { return other_error("request has no destination"); }
gateway::RmbError other_error(std::string_view what) {
  return {rmb_error::kOther, rmb_error::text(rmb_error::kOther, sv(what))};
}

}  // namespace rmb::compat
