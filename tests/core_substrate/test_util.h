#pragma once
// Helpers for the tfchain backend's integration tests: synchronous wrappers around the
// callback API (bounded waits, so a bug fails a test instead of hanging it) and twins.
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "core/directory/substrate/scale.h"
#include "core/directory/twin_directory.h"

namespace rmb::test {

inline constexpr auto kWait = std::chrono::seconds(60);

template <class T>
T wait_for(std::future<T>& f) {
  if (f.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "callback never came";
    std::abort();
  }
  return f.get();
}

inline absl::StatusOr<std::optional<core::Twin>> get_twin(core::TwinDirectory& dir, uint32_t id) {
  auto p = std::make_shared<std::promise<absl::StatusOr<std::optional<core::Twin>>>>();
  auto f = p->get_future();
  dir.get_twin(id, [p](absl::StatusOr<std::optional<core::Twin>> r) { p->set_value(std::move(r)); });
  return wait_for(f);
}

inline absl::StatusOr<std::optional<uint32_t>> get_twin_id(core::TwinDirectory& dir, const core::AccountId& a) {
  auto p = std::make_shared<std::promise<absl::StatusOr<std::optional<uint32_t>>>>();
  auto f = p->get_future();
  dir.get_twin_id(a, [p](absl::StatusOr<std::optional<uint32_t>> r) { p->set_value(std::move(r)); });
  return wait_for(f);
}

inline core::Bytes text_bytes(std::string_view s) { return core::Bytes(s.begin(), s.end()); }

inline core::ChainTwin chain_twin(uint32_t id, const core::AccountId& account, std::optional<std::string> relay,
                                  std::optional<core::Bytes> pk) {
  core::ChainTwin t;
  t.id = id;
  t.account = account;
  if (relay) t.relay = text_bytes(*relay);
  t.pk = std::move(pk);
  return t;
}

}  // namespace rmb::test
