#pragma once
// The messages a gRPC server stream has yet to write. gRPC allows one outstanding Write,
// while answers arrive on gateway threads: they wait here. Not locked: the reactor that owns
// it calls every member under its own mutex, and makes the gRPC calls after unlocking.
#include <deque>

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

 private:
  std::deque<Message> queue_;
  bool writing_ = false;
  bool broken_ = false;
};

}  // namespace rmb::gateway::api
