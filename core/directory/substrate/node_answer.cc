#include "core/directory/substrate/node_answer.h"

#include "absl/strings/str_cat.h"

namespace rmb::core {

using json = nlohmann::json;

std::optional<RpcMessage> read_rpc_message(std::string_view text) {
  json msg = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!msg.is_object()) return std::nullopt;
  auto id = msg.find("id");
  if (id == msg.end() || !id->is_number_unsigned()) return std::nullopt;
  return RpcMessage{id->get<uint64_t>(), std::move(msg)};
}

absl::StatusOr<json> rpc_outcome(json message, absl::string_view method) {
  if (auto err = message.find("error"); err != message.end() && !err->is_null()) {
    std::string detail;
    if (err->is_object()) {
      if (auto m = err->find("message"); m != err->end() && m->is_string()) detail = m->get<std::string>();
      if (auto d = err->find("data"); d != err->end() && !d->is_null()) {
        absl::StrAppend(&detail, ": ", d->is_string() ? d->get<std::string>() : d->dump());
      }
      if (auto c = err->find("code"); c != err->end() && c->is_number_integer()) {
        absl::StrAppend(&detail, " (code ", c->get<int64_t>(), ")");
      }
    } else {
      detail = err->dump();
    }
    return absl::FailedPreconditionError(absl::StrCat("substrate ", method, " failed: ", detail));
  }
  auto result = message.find("result");
  if (result == message.end()) {
    return absl::InternalError(absl::StrCat("substrate ", method, ": answer without result or error"));
  }
  return std::move(*result);
}

absl::StatusOr<std::optional<Bytes>> storage_value(const json& result) {
  if (result.is_null()) return std::optional<Bytes>();
  if (!result.is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("state_getStorage returned ", result.dump(80), ", expected a hex string or null"));
  }
  const auto& text = result.get_ref<const std::string&>();
  if (!text.starts_with("0x")) {
    return absl::InvalidArgumentError("state_getStorage returned a string without 0x prefix");
  }
  auto bytes = from_hex(text);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("state_getStorage returned bad hex: ", bytes.status().message()));
  }
  return std::optional<Bytes>(*std::move(bytes));
}

}  // namespace rmb::core
