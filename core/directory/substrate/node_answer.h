#pragma once
// Reading what a chain node answers over JSON-RPC 2.0: which call a message answers, its
// outcome, and the value of a storage query. Pure (no Asio), so that the fuzz build feeds
// node bytes through exactly the code the RpcClient and the directory run.
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/util/bytes.h"

namespace rmb::core {

struct RpcMessage {
  uint64_t id = 0;
  nlohmann::json body;  // the whole message object
};

// A message answering call `id`; nullopt for notifications (subscriptions) and garbage,
// which carry no id a call waits for.
std::optional<RpcMessage> read_rpc_message(std::string_view text);

// The outcome of call `method` that `message` answers: its `result` (JSON null included),
// FailedPrecondition carrying the node's error (code, message, data), or Internal when the
// message has neither.
absl::StatusOr<nlohmann::json> rpc_outcome(nlohmann::json message, absl::string_view method);

// state_getStorage's result: null -> nullopt, "0x..." -> bytes, anything else an error.
absl::StatusOr<std::optional<Bytes>> storage_value(const nlohmann::json& result);

}  // namespace rmb::core
