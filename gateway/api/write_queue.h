#pragma once
// The messages a gRPC server stream has yet to write. gRPC allows one outstanding Write,
// while answers arrive on gateway threads: they wait here. Not locked: the reactor that owns
// it calls every member under its own mutex, and makes the gRPC calls after unlocking.
#include <deque>
#include <mutex>
#include <optional>

#include <grpcpp/support/status.h>

namespace rmb::gateway::api {

template <class Message>
class WriteQueue {
 public:
  // A new message at the back, to be filled in by the caller.
  Message& add() { return queue_.emplace_back(); }

  // The message to hand to StartWrite now, or nullptr when one is in flight, none waits,
  // or the stream broke. It stays put (and owned here) until written().
  const Message* next() {
    if (writing_ || broken_ || queue_.empty()) return nullptr;
    writing_ = true;
    return &queue_.front();
  }

  // OnWriteDone: `ok` false means the stream is gone and nothing more will be written.
  void written(bool ok) {
    writing_ = false;
    queue_.pop_front();
    if (!ok) {
      queue_.clear();
      broken_ = true;
    }
  }

  // Drops what waits, keeping the message in flight (gRPC still holds a pointer to it).
  void drop_waiting() { queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end()); }

  bool writing() const { return writing_; }
  // Nothing left that will be written.
  bool drained() const { return broken_ || queue_.empty(); }

  // Finish was called (once; nothing is written after it).
  bool finished() const { return finished_; }
  void set_finished() { finished_ = true; }

 private:
  std::deque<Message> queue_;
  bool writing_ = false;
  bool broken_ = false;
  bool finished_ = false;
};

// What a streaming reactor decides under its lock each time it pumps: whether queued
// messages may still be written, and whether the stream ends (with this status) once no
// write is in flight and none may go out.
struct PumpDecision {
  bool write = true;
  std::optional<grpc::Status> finish;
};

// The one way the streaming reactors write: under `mu`, the next queued message, or the end
// of the stream as `decide()` says (once); then, with `mu` released, StartWrite or Finish,
// because a reaction may run on the calling thread before they return.
template <class Reactor, class Message, class Decide>
void pump(std::mutex& mu, Reactor& reactor, WriteQueue<Message>& queue, Decide&& decide) {
  const Message* next = nullptr;
  std::optional<grpc::Status> finish;
  {
    std::lock_guard lock(mu);
    if (queue.writing() || queue.finished()) return;
    PumpDecision decision = decide();
    if (decision.write) next = queue.next();
    if (next == nullptr && decision.finish) {
      queue.set_finished();
      finish = std::move(decision.finish);
    }
  }
  if (next) reactor.StartWrite(next);
  if (finish) reactor.Finish(std::move(*finish));
}

}  // namespace rmb::gateway::api
