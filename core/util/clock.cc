#include "core/util/clock.h"

#include <chrono>

namespace rmb::core {

uint64_t unix_now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace rmb::core
