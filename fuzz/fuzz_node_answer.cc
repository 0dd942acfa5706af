// A chain node's JSON-RPC message, read the way the directory reads a state_getStorage
// answer (core/directory/substrate/node_answer.h), down to the Twin record or twin id in
// it. The node is reached over the network (ws:// included): any text must end in a
// result or an error with a message, never a crash.
#include <cstdint>
#include <string_view>

#include "core/directory/substrate/node_answer.h"
#include "core/directory/substrate/scale.h"
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rmb::core;
  using rmb::fuzz::require;
  auto message = read_rpc_message(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!message) return 0;
  auto outcome = rpc_outcome(std::move(message->body), "state_getStorage");
  if (!outcome.ok()) {
    require(!outcome.status().message().empty());
    return 0;
  }
  auto value = storage_value(*outcome);
  if (!value.ok()) {
    require(!value.status().message().empty());
    return 0;
  }
  if (!value->has_value()) return 0;
  const Bytes& scale = **value;
  if (auto chain = decode_chain_twin(scale); chain.ok()) (void)twin_from_chain(*chain);
  (void)decode_twin_id(scale);
  return 0;
}
