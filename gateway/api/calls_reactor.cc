#include "gateway/api/calls_reactor.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/api/convert.h"
#include "gateway/api/write_queue.h"

namespace rmb::gateway::api {
namespace {

namespace v1 = rmb::api::v1;

// Lifetime: owned by `self_` from the start until OnDone, and by the Outbox handlers of the
// calls in flight. Every gRPC call (StartRead/StartWrite/Finish) is made without holding
// `mu_`, because a reaction may run on the calling thread before it returns; Finish is
// called once, with no read or write outstanding.
class CallsReactor final : public grpc::ServerBidiReactor<v1::StreamedCall, v1::StreamedReply>,
                           public std::enable_shared_from_this<CallsReactor> {
 public:
  CallsReactor(Outbox& outbox, std::chrono::system_clock::time_point deadline) : outbox_(outbox), deadline_(deadline) {}

  void start() {
    self_ = shared_from_this();
    reading_ = true;
    StartRead(&in_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed (or went away: OnCancel follows)
      {
        std::lock_guard lock(mu_);
        reading_ = false;
        half_closed_ = true;
      }
      return pump();
    }
    begin(in_.id(), in_.call());
    in_.Clear();
    bool read_more;
    {
      std::lock_guard lock(mu_);
      read_more = !closing_;
      reading_ = read_more;
    }
    if (read_more) {
      StartRead(&in_);
    } else {
      pump();  // cancelled meanwhile: finish now that no read is outstanding
    }
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      writes_.written(ok);  // not ok: the stream broke; OnCancel / OnReadDone(false) follow
    }
    pump();
  }

  // The client cancelled or the stream broke: the calls in flight are cancelled, and
  // nothing more is written.
  void OnCancel() override {
    std::vector<std::string> uids;
    {
      std::lock_guard lock(mu_);
      if (closing_) return;
      closing_ = true;
      for (const auto& [id, call] : in_flight_) {
        if (!call.uid.empty()) uids.push_back(call.uid);
      }
      in_flight_.clear();
      writes_.drop_waiting();
    }
    for (const auto& uid : uids) outbox_.cancel(uid);
    pump();
  }

  void OnDone() override { auto keep = std::move(self_); }

 private:
  // A call leaves the table with its answer, so that the client may reuse its id at once;
  // `seq` tells its handlers from those of a later call with the same id.
  struct InFlight {
    uint64_t seq = 0;
    std::string uid;  // empty until Outbox::request returned
  };

  void begin(uint64_t id, const v1::CallRequest& call) {
    auto request = request_of(call, deadline_);
    if (!request.ok()) return refuse(id, request.status());
    bool repeated;
    const uint64_t seq = ++next_seq_;  // read reactions run one at a time
    {
      std::lock_guard lock(mu_);
      if (closing_) return;
      repeated = !in_flight_.try_emplace(id, InFlight{seq, {}}).second;
    }
    if (repeated) return refuse(id, absl::InvalidArgumentError(absl::StrCat("call id ", id, " is in flight already")));
    auto self = shared_from_this();
    auto uid = outbox_.request(
        std::move(*request), [self, id, seq](Outcome outcome) { self->answer(id, seq, std::move(outcome)); },
        [self, id, seq] { self->done(id, seq); });
    bool cancel = false;
    {
      std::lock_guard lock(mu_);
      auto it = in_flight_.find(id);
      const bool ours = it != in_flight_.end() && it->second.seq == seq;
      if (!uid.ok()) {
        if (ours) in_flight_.erase(it);
      } else if (ours) {
        it->second.uid = *uid;
      } else {
        cancel = closing_;  // the stream was cancelled while the call was handed over
      }
    }
    if (!uid.ok()) return refuse(id, uid.status());
    if (cancel) outbox_.cancel(*uid);
  }

  // Takes call `id` out of the table if it is still the call numbered `seq`.
  bool settle_locked(uint64_t id, uint64_t seq) {
    auto it = in_flight_.find(id);
    if (it == in_flight_.end() || it->second.seq != seq) return false;
    in_flight_.erase(it);
    return true;
  }

  void answer(uint64_t id, uint64_t seq, const Outcome& outcome) {
    {
      std::lock_guard lock(mu_);
      if (!settle_locked(id, seq)) return;
      to_api(id, outcome, &writes_.add());
    }
    pump();
  }

  // A call has one destination, so its one outcome came first; without one, it is answered here.
  void done(uint64_t id, uint64_t seq) {
    {
      std::lock_guard lock(mu_);
      if (!settle_locked(id, seq)) return;
      refuse_locked(id, absl::InternalError("the request ended without an outcome"));
    }
    pump();
  }

  void refuse(uint64_t id, const absl::Status& status) {
    {
      std::lock_guard lock(mu_);
      refuse_locked(id, status);
    }
    pump();
  }

  void refuse_locked(uint64_t id, const absl::Status& status) {
    if (!closing_) to_api(id, status, &writes_.add());
  }

  // Writes while open; finishes once cancelled, or half-closed with every call answered
  // and written, with no read outstanding.
  void pump() {
    api::pump(mu_, *this, writes_, [this] {
      const bool all_answered = half_closed_ && in_flight_.empty() && writes_.drained();
      if ((!closing_ && !all_answered) || reading_) return PumpDecision{!closing_, std::nullopt};
      return PumpDecision{!closing_, closing_ ? grpc::Status::CANCELLED : grpc::Status::OK};
    });
  }

  Outbox& outbox_;
  const std::chrono::system_clock::time_point deadline_;
  v1::StreamedCall in_;  // only touched by read reactions (one at a time)

  std::mutex mu_;
  std::unordered_map<uint64_t, InFlight> in_flight_;
  uint64_t next_seq_ = 0;  // read reactions only
  WriteQueue<v1::StreamedReply> writes_;
  bool reading_ = false;
  bool half_closed_ = false;
  bool closing_ = false;
  std::shared_ptr<CallsReactor> self_;
};

}  // namespace

grpc::ServerBidiReactor<v1::StreamedCall, v1::StreamedReply>* start_calls(Outbox& outbox,
                                                                          grpc::CallbackServerContext* context) {
  auto reactor = std::make_shared<CallsReactor>(outbox, context->deadline());
  reactor->start();
  return reactor.get();
}

}  // namespace rmb::gateway::api
