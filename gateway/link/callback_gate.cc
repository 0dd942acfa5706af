#include "gateway/link/callback_gate.h"

#include <algorithm>
#include <vector>

namespace rmb::gateway::link {
namespace {
// The gates this thread is inside, innermost last (a frame handler of one RelayLinks may
// send on, or stop, another).
thread_local std::vector<const CallbackGate*> t_inside;
}  // namespace

bool CallbackGate::enter() {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  ++inside_;
  t_inside.push_back(this);
  return true;
}

void CallbackGate::leave() {
  std::lock_guard lock(mu_);
  --inside_;
  if (auto it = std::find(t_inside.rbegin(), t_inside.rend(), this); it != t_inside.rend()) {
    t_inside.erase(std::next(it).base());
  }
  cv_.notify_all();
}

void CallbackGate::close() {
  std::unique_lock lock(mu_);
  closed_ = true;
  const auto mine = std::count(t_inside.begin(), t_inside.end(), this);
  cv_.wait(lock, [&] { return inside_ <= mine; });
}

}  // namespace rmb::gateway::link
