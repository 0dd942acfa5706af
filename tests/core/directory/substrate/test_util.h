#pragma once
// Helpers for the tfchain backend's integration tests: synchronous wrappers around the
// callback API (bounded waits, so a bug fails a test instead of hanging it). Chain twins
// for the fake node are made with tests/support/fake_node.h.
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

}  // namespace rmb::test
