#include "core/util/debug_flags.h"

#include <string_view>

namespace rmb::core {

DebugFlags take_debug_flags(int argc, const char* const* argv) {
  DebugFlags out;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool dashes_d =
        i > 0 && arg.size() >= 2 && arg[0] == '-' && arg.find_first_not_of('d', 1) == std::string_view::npos;
    if (dashes_d) {
      out.count += static_cast<unsigned>(arg.size() - 1);
    } else if (i > 0 && arg == "--debug") {
      ++out.count;
    } else {
      out.argv.push_back(argv[i]);
    }
  }
  return out;
}

}  // namespace rmb::core
