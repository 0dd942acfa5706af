// The twin directory file: any bytes must parse or fail with an error, never crash; and
// whatever parses must survive serialise -> parse unchanged (the `rmb directory` tools
// rewrite the file through directory_to_json).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/directory/file_directory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto twins = rmb::core::parse_directory_json(text);
  if (!twins.ok()) {
    if (twins.status().message().empty()) std::abort();  // errors must say something
    return 0;
  }
  auto again = rmb::core::parse_directory_json(rmb::core::directory_to_json(*twins));
  if (!again.ok() || *again != *twins) std::abort();
  return 0;
}
