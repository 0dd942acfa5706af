#include "gateway/engine/reply_cache.h"

namespace rmb::gateway {

void ReplyCache::erase_first() {
  const auto first = by_expiry_.begin();
  const auto it = entries_.find(first->second);
  bytes_ -= it->second.frame->size();
  entries_.erase(it);
  by_expiry_.erase(first);
}

void ReplyCache::purge(Clock::time_point now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) erase_first();
}

void ReplyCache::put(const std::string& key, Frame frame, Clock::time_point expires, Clock::time_point now) {
  purge(now);
  if (!frame || expires <= now || max_entries_ == 0 || frame->size() > max_bytes_) return;
  if (const auto it = entries_.find(key); it != entries_.end()) {
    bytes_ -= it->second.frame->size();
    by_expiry_.erase({it->second.expires, key});
    entries_.erase(it);
  }
  while (!entries_.empty() && (entries_.size() >= max_entries_ || bytes_ + frame->size() > max_bytes_)) {
    erase_first();
  }
  bytes_ += frame->size();
  by_expiry_.emplace(expires, key);
  entries_.emplace(key, Entry{std::move(frame), expires});
}

ReplyCache::Frame ReplyCache::get(const std::string& key, Clock::time_point now) {
  purge(now);
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second.frame;
}

}  // namespace rmb::gateway
