#include "gateway/engine/relay_error_kind.h"

#include <array>

namespace rmb::gateway {

bool relay_error_is_transient(std::string_view message) {
  // PROTOCOL.md §5.5: the refusals, by their leading words. Rate limiting is final too: a
  // resend within the same minute would only be refused again.
  static constexpr std::array<std::string_view, 9> kFinal = {
      "exceeded rate limits",
      "message wrong source",
      "message with missing destination",
      "unknown twin destination",
      "relay info is not set for this twin",
      "destination offline",
      "remote relay rejected permanently",
      "message has expired",
      "federation is not configured",
  };
  for (std::string_view final_words : kFinal) {
    if (message.substr(0, final_words.size()) == final_words) return false;
  }
  return true;
}

}  // namespace rmb::gateway
