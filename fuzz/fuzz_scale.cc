// SCALE bytes of a tfchain Twin record, as a chain node returns them (core/directory/
// substrate/scale.h). Any bytes decode or fail with a message; the decoder accepts only
// canonical encodings of exactly one Twin, so whatever decodes must encode back to the very
// same bytes, and its directory view must be a fixed point of view -> chain record -> view.
#include <cstdint>

#include "core/directory/substrate/scale.h"
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rmb::core;
  using rmb::fuzz::require;
  const ByteView bytes(data, size);

  auto id = decode_twin_id(bytes);
  require(id.ok() == (size == 4));

  auto chain = decode_chain_twin(bytes);
  if (!chain.ok()) {
    require(!chain.status().message().empty());
    return 0;
  }
  require(encode_chain_twin(*chain) == Bytes(bytes.begin(), bytes.end()));
  const Twin twin = twin_from_chain(*chain);
  require(twin_from_chain(chain_twin_from(twin)) == twin);
  return 0;
}
