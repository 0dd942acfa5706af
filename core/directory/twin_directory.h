#pragma once
// The twin directory interface. Lookups complete through a callback so that callers on
// I/O threads never block: in-memory backends call back at once (on the caller's thread),
// network backends (tfchain) call back later from their own thread.
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "core/directory/twin.h"

namespace rmb::core {

class TwinDirectory {
 public:
  // nullopt = no such twin; an error status = the lookup itself failed.
  using TwinCallback = std::function<void(absl::StatusOr<std::optional<Twin>>)>;
  using IdCallback = std::function<void(absl::StatusOr<std::optional<uint32_t>>)>;

  virtual ~TwinDirectory() = default;
  virtual void get_twin(uint32_t id, TwinCallback done) = 0;
  virtual void get_twin_id(const AccountId& account, IdCallback done) = 0;
  // Drops whatever is cached for twin `id`, so the next get_twin reads fresh data (the
  // relay calls it when routing to a twin failed). Backends without a cache ignore it.
  virtual void forget(uint32_t /*id*/) {}
};

}  // namespace rmb::core
