#include "gateway/engine/identity.h"

#include <future>

#include "absl/strings/str_cat.h"
#include "core/protocol/identity/secret.h"

namespace rmb::gateway {

absl::StatusOr<Identity> make_identity(core::KeyType type, std::string_view secret, uint32_t twin) {
  auto signer = core::signer_from_uri(type, secret);
  if (!signer.ok()) return signer.status();
  Identity identity;
  identity.twin = twin;
  identity.key_type = type;
  identity.signer = std::move(*signer);
  // The e2e key exists only for a bare mnemonic or seed (parse_secret refuses derivation
  // paths): that is the key rmb-peer publishes as the twin's pk (§3.1, §9.1).
  if (auto seed = core::parse_secret(secret); seed.ok()) {
    auto e2e = core::E2eKey::from_seed(*seed);
    if (!e2e.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("e2e key: ", e2e.status().message()));
    }
    identity.e2e = std::move(*e2e);
  }
  return identity;
}

absl::StatusOr<Identity> load_identity(core::KeyType type, std::string_view secret, core::TwinDirectory& directory,
                                       std::chrono::milliseconds timeout) {
  auto identity = make_identity(type, secret, 0);
  if (!identity.ok()) return identity.status();

  // The callback may run at once or later on the directory's thread, possibly after a
  // timeout here: the promise is shared so it outlives this frame.
  using Result = absl::StatusOr<std::optional<uint32_t>>;
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  directory.get_twin_id(identity->signer->account(), [promise](Result r) { promise->set_value(std::move(r)); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return absl::DeadlineExceededError("twin directory did not answer the twin id lookup in time");
  }
  Result id = future.get();
  if (!id.ok()) return absl::UnavailableError(absl::StrCat("twin id lookup failed: ", id.status().message()));
  if (!id->has_value()) return absl::NotFoundError("no twin found on this network with given key");
  identity->twin = **id;
  return identity;
}

}  // namespace rmb::gateway
