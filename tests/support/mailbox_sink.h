#pragma once
// For tests of the relay's mailboxes and federation (and bench/relay's relayfed_bench):
// envelopes, a sink that records what a mailbox offers, waiting with a deadline (a wait,
// never a timing assertion).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/util/clock.h"
#include "relay/mailbox/mailbox.h"
#include "rmb/types.pb.h"
#include "tests/support/poll.h"

namespace rmb::test {

inline rmb::Envelope make_envelope(const std::string& uid, uint32_t from, uint32_t to, int64_t age_seconds = 0,
                                   uint64_t expiration = 300, bool request = true) {
  rmb::Envelope e;
  e.set_uid(uid);
  e.set_timestamp(rmb::core::unix_now() - age_seconds);
  e.set_expiration(expiration);
  e.mutable_source()->set_twin(from);
  e.mutable_destination()->set_twin(to);
  if (request) e.mutable_request()->set_command("test.cmd");
  e.set_plain("payload of " + uid);
  return e;
}

inline relay::Frame frame_of(const rmb::Envelope& e) {
  return std::make_shared<const std::string>(e.SerializeAsString());
}

// poll_until for a predicate: true once `pred` holds, false if `limit` passes first.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  return poll_until(
      pred, [](bool held) { return held; }, limit);
}

// Records what the mailbox offers. Confirms each frame as written at once, like a session
// whose socket takes everything, unless hold(true): then the confirmations wait (frames
// queued in a session and never written) until confirm_held() or are dropped.
class RecordingSink : public relay::MailboxSink {
 public:
  bool offer(const relay::Frame& frame, Written written) override {
    Written now;
    {
      std::lock_guard lock(mu_);
      if (accept_left_ == 0) {
        ++refusals_;
        return false;
      }
      if (accept_left_ > 0) --accept_left_;
      rmb::Envelope e;
      e.ParseFromString(*frame);
      uids_.push_back(e.uid());
      frames_.push_back(*frame);
      if (hold_) {
        held_.push_back(std::move(written));
      } else {
        now = std::move(written);
      }
    }
    if (now) now();
    return true;
  }
  void hold(bool on) {
    std::lock_guard lock(mu_);
    hold_ = on;
  }
  void confirm_held() {
    std::vector<Written> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& w : held) w();
  }
  void drop_held() {
    std::lock_guard lock(mu_);
    held_.clear();
  }
  // -1 = accept everything; n = accept n more, then refuse.
  void accept(int n) {
    std::lock_guard lock(mu_);
    accept_left_ = n;
  }
  std::vector<std::string> uids() const {
    std::lock_guard lock(mu_);
    return uids_;
  }
  std::vector<std::string> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return uids_.size();
  }
  int refusals() const {
    std::lock_guard lock(mu_);
    return refusals_;
  }

 private:
  mutable std::mutex mu_;
  int accept_left_ = -1;
  bool hold_ = false;
  std::vector<Written> held_;
  int refusals_ = 0;
  std::vector<std::string> uids_;
  std::vector<std::string> frames_;
};

}  // namespace rmb::test
