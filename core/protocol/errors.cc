#include "core/protocol/errors.h"

#include "absl/strings/str_cat.h"

namespace rmb::core::rmb_error {

std::string text(uint32_t code, absl::string_view detail) {
  switch (code) {
    case kInvalidPayloadType:
      return "invalid message payload type";
    case kInvalidPayloadData:
      return absl::StrCat("invalid message payload data: ", detail);
    case kExpired:
      return "envelope validation error: message has expired";
    case kUnknownTwin:
      return absl::StrCat("unknown twin id '", detail, "'");
    case kInvalidSignature:
      return absl::StrCat("invalid envelope signature: ", detail);
    case kNoPublicKey:
      return "sender twin has no public key";
    case kE2e:
      return absl::StrCat("e2e error: ", detail);
    case kOther:
      return absl::StrCat("other: ", detail);
    default:
      return std::string(detail);
  }
}

}  // namespace rmb::core::rmb_error
