#include "relay/session_registry.h"

#include <mutex>

namespace rmb::relay {

absl::StatusOr<std::shared_ptr<Session>> SessionRegistry::add(std::shared_ptr<Session> session) {
  std::unique_lock lock(mu_);
  auto it = sessions_.find(session->id());
  if (it != sessions_.end()) {
    std::shared_ptr<Session> old = std::move(it->second);
    it->second = std::move(session);
    return old;
  }
  if (sessions_.size() >= capacity_) return absl::ResourceExhaustedError("max number of users");
  SessionId id = session->id();
  sessions_.emplace(std::move(id), std::move(session));
  return std::shared_ptr<Session>();
}

bool SessionRegistry::remove(const SessionId& id, const Session* session) {
  std::unique_lock lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.get() != session) return false;
  sessions_.erase(it);
  return true;
}

std::shared_ptr<Session> SessionRegistry::find(const SessionId& id) const {
  std::shared_lock lock(mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

size_t SessionRegistry::size() const {
  std::shared_lock lock(mu_);
  return sessions_.size();
}

std::vector<std::shared_ptr<Session>> SessionRegistry::all() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(sessions_.size());
  for (const auto& [id, s] : sessions_) out.push_back(s);
  return out;
}

}  // namespace rmb::relay
