#pragma once
// The sessions connected to this process, keyed by exact (twin, sid). Adding a session
// whose key is taken replaces the old entry and hands the old session back so the caller
// can close it; removal only removes the entry if it still is the caller's session, so the
// old session's cleanup never unregisters its replacement (the rmb-rs double drop,
// PROTOCOL.md §5.6 / Appendix B.8). Thread-safe.
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "relay/session.h"

namespace rmb::relay {

class SessionRegistry {
 public:
  explicit SessionRegistry(size_t capacity) : capacity_(capacity) {}

  // Registers `session`. Returns the session it replaced (nullptr if none), or
  // RESOURCE_EXHAUSTED "max number of users" when full (replacing never counts as new).
  absl::StatusOr<std::shared_ptr<Session>> add(std::shared_ptr<Session> session);
  // Removes `id` only if it is still mapped to `session`. Returns whether it removed it.
  bool remove(const SessionId& id, const Session* session);
  std::shared_ptr<Session> find(const SessionId& id) const;
  size_t size() const;
  std::vector<std::shared_ptr<Session>> all() const;

 private:
  const size_t capacity_;
  mutable std::shared_mutex mu_;
  std::unordered_map<SessionId, std::shared_ptr<Session>, SessionIdHash> sessions_;
};

}  // namespace rmb::relay
