#include "relay/session.h"

namespace rmb::relay {

std::string_view close_cause_label(CloseCause cause) {
  switch (cause) {
    case CloseCause::kReplaced:
      return "replaced";
    case CloseCause::kBackPressure:
      return "back_pressure_timeout";
    case CloseCause::kSessionAge:
      return "session_age";
    case CloseCause::kInvalidEnvelope:
      return "invalid_envelope";
    case CloseCause::kTextFrame:
      return "text_frame";
    case CloseCause::kCapacity:
      return "max_sessions";
    case CloseCause::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

std::string_view close_cause_reason(CloseCause cause) {
  switch (cause) {
    case CloseCause::kReplaced:
      return "replaced by a newer connection of the same session";
    case CloseCause::kBackPressure:
      return "back-pressure timeout";
    case CloseCause::kSessionAge:
      return "session too old, reconnect with a fresh token";
    case CloseCause::kInvalidEnvelope:
      return "invalid envelope";
    case CloseCause::kTextFrame:
      return "text frames are not supported";
    case CloseCause::kCapacity:
      return "max number of users";
    case CloseCause::kShutdown:
      return "relay shutting down";
  }
  return "closed";
}

}  // namespace rmb::relay
