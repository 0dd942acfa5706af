#pragma once
// Lets stop() promise that no user callback (frame handler, send completion) runs once it
// has returned: callbacks enter the gate, close() shuts it and waits for those inside.
// A callback that itself calls stop() (same thread, inside the gate) is not waited for.
#include <condition_variable>
#include <mutex>

namespace rmb::gateway::link {

class CallbackGate {
 public:
  class Pass {
   public:
    explicit Pass(CallbackGate& gate) : gate_(gate), entered_(gate.enter()) {}
    ~Pass() {
      if (entered_) gate_.leave();
    }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    explicit operator bool() const { return entered_; }

   private:
    CallbackGate& gate_;
    bool entered_;
  };

  // Closes the gate and waits until every other thread has left it.
  void close();

 private:
  bool enter();
  void leave();

  std::mutex mu_;
  std::condition_variable cv_;
  int inside_ = 0;
  bool closed_ = false;
};

}  // namespace rmb::gateway::link
