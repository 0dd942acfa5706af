#include "gateway/engine/pending_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace rmb::gateway {

absl::Status PendingTable::add(std::shared_ptr<PendingRequest> request) {
  std::lock_guard lock(mu_);
  if (requests_.size() >= capacity_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many requests in flight (", capacity_, "): wait for some to finish"));
  }
  request->owed = 0;
  for (const auto& d : request->destinations) {
    if (!d.answered) ++request->owed;
  }
  const std::string uid = request->uid;
  PendingRequest* added = request.get();
  if (!requests_.emplace(uid, std::move(request)).second) {
    return absl::AlreadyExistsError(absl::StrCat("request uid '", uid, "' is already pending"));
  }
  added->by_deadline = deadlines_.emplace(added->deadline, added);
  return absl::OkStatus();
}

void PendingTable::erase(std::unordered_map<std::string, std::shared_ptr<PendingRequest>>::iterator it) {
  deadlines_.erase(it->second->by_deadline);
  requests_.erase(it);
}

bool PendingTable::promise_wakeup(Clock::time_point deadline) {
  std::lock_guard lock(mu_);
  if (wakeup_ <= deadline) return false;
  wakeup_ = deadline;
  return true;
}

PendingTable::Clock::time_point PendingTable::wakeup() const {
  std::lock_guard lock(mu_);
  return wakeup_;
}

std::vector<std::string> PendingTable::due(Clock::time_point now) {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  auto it = deadlines_.begin();
  for (; it != deadlines_.end() && it->first <= now; ++it) out.push_back(it->second->uid);
  wakeup_ = it == deadlines_.end() ? Clock::time_point::max() : it->first;
  return out;
}

Claim PendingTable::settle(const std::shared_ptr<PendingRequest>& request, size_t index) {
  request->destinations[index].answered = true;
  --request->owed;
  Claim claim{request, index, request->owed == 0};
  if (claim.last) erase(requests_.find(request->uid));
  return claim;
}

std::optional<Claim> PendingTable::claim(const std::string& uid, size_t index) {
  std::lock_guard lock(mu_);
  const auto it = requests_.find(uid);
  if (it == requests_.end()) return std::nullopt;
  const auto request = it->second;
  if (index >= request->destinations.size() || request->destinations[index].answered) return std::nullopt;
  return settle(request, index);
}

PendingTable::ReplyClaim PendingTable::claim_reply(const std::string& uid, const core::AddressText& source,
                                                   const RelayError& relay_error,
                                                   std::optional<Clock::time_point> retry_at) {
  std::lock_guard lock(mu_);
  const auto it = requests_.find(uid);
  if (it == requests_.end()) return {Match::kNoRequest, std::nullopt};
  const auto request = it->second;
  auto& dests = request->destinations;

  auto first = [&](auto&& pred) -> std::optional<size_t> {
    for (size_t i = 0; i < dests.size(); ++i) {
      if (!dests[i].answered && pred(dests[i])) return i;
    }
    return std::nullopt;
  };

  std::optional<size_t> index;
  if (source.twin == 0) {
    if (request->owed > 1 || retry_at) {
      // One held error per destination is enough to answer each at the deadline.
      if (request->relay_errors.size() >= dests.size()) request->relay_errors.erase(request->relay_errors.begin());
      request->relay_errors.push_back(relay_error);
      if (retry_at) {
        for (auto& d : dests) {
          if (!d.answered && d.frame) d.next_resend = std::min(d.next_resend, *retry_at);
        }
      }
      return {Match::kHeld, std::nullopt};
    }
    index = first([](const PendingDestination&) { return true; });
    if (!index) return {Match::kDuplicate, std::nullopt};
    return {Match::kMatched, settle(request, *index)};
  }

  bool asked = false;
  for (size_t i = 0; i < dests.size(); ++i) {
    if (dests[i].address.twin != source.twin) continue;
    asked = true;
    if (!dests[i].answered && dests[i].address.connection == source.connection) {
      index = i;
      break;
    }
  }
  if (!asked) return {Match::kNotAsked, std::nullopt};
  // A twin asked without a session may answer from one (and the other way round): rmb-peer
  // sets no connection on its replies, other SDKs may.
  if (!index) index = first([&](const PendingDestination& d) { return d.address.twin == source.twin; });
  if (!index) return {Match::kDuplicate, std::nullopt};
  return {Match::kMatched, settle(request, *index)};
}

void PendingTable::mark_sent(const std::string& uid, size_t index, std::shared_ptr<const std::string> frame,
                             Clock::time_point now) {
  std::lock_guard lock(mu_);
  const auto it = requests_.find(uid);
  if (it == requests_.end() || index >= it->second->destinations.size()) return;
  auto& d = it->second->destinations[index];
  if (d.frame) return;  // a resend completing: the schedule already moved on
  d.frame = std::move(frame);
  if (resend_.after.count() <= 0) return;  // timer resends off: next_resend stays max
  d.next_resend = now + resend_.after;
  d.resend_interval = std::min(resend_.after, resend_.max);
}

std::vector<PendingTable::Resend> PendingTable::due_resends(Clock::time_point now, bool all) {
  std::vector<Resend> out;
  std::lock_guard lock(mu_);
  for (const auto& [uid, request] : requests_) {
    if (request->deadline <= now) continue;  // its deadline timer settles it
    for (size_t i = 0; i < request->destinations.size(); ++i) {
      auto& d = request->destinations[i];
      if (d.answered || !d.frame) continue;
      if (!all && d.next_resend > now) continue;
      out.push_back(Resend{uid, i, d.frame, request->deadline});
      if (d.next_resend <= now) {
        d.resend_interval = std::min(d.resend_interval * 2, resend_.max);
        d.next_resend = now + d.resend_interval;
      }
    }
  }
  return out;
}

std::optional<PendingTable::Removed> PendingTable::remove(const std::string& uid) {
  std::lock_guard lock(mu_);
  const auto it = requests_.find(uid);
  if (it == requests_.end()) return std::nullopt;
  Removed removed{it->second, {}};
  for (size_t i = 0; i < removed.request->destinations.size(); ++i) {
    auto& d = removed.request->destinations[i];
    if (!d.answered) {
      d.answered = true;
      removed.unanswered.push_back(i);
    }
  }
  removed.request->owed = 0;
  erase(it);
  return removed;
}

std::vector<std::string> PendingTable::uids() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.reserve(requests_.size());
  for (const auto& [uid, _] : requests_) out.push_back(uid);
  return out;
}

size_t PendingTable::size() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

}  // namespace rmb::gateway
