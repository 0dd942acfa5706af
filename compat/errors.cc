#include "compat/errors.h"

#include "absl/strings/str_cat.h"

namespace rmb::compat {
namespace {
absl::string_view sv(std::string_view s) { return {s.data(), s.size()}; }
}  // namespace

gateway::RmbError expired_error() { return {kCodeExpired, "envelope validation error: message has expired"}; }
gateway::RmbError bad_base64_error() { return {kCodeOther, "other: invalid data base64 encoding"}; }
gateway::RmbError invalid_request_error(std::string_view what) {
  return {kCodeOther, absl::StrCat("other: invalid request: ", sv(what))};
}
gateway::RmbError no_destination_error() { return {kCodeOther, "other: request has no destination"}; }
gateway::RmbError other_error(std::string_view what) { return {kCodeOther, absl::StrCat("other: ", sv(what))}; }

}  // namespace rmb::compat
