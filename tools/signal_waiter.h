#pragma once
// Ctrl-C (SIGINT) and SIGTERM for commands that run until stopped (serve, ping, devnet up):
// the signals are blocked in every thread and one thread waits for them, so the reaction
// (cancel a gRPC stream, stop child processes) runs as ordinary code, not in a handler.
#include <atomic>
#include <functional>
#include <thread>

namespace rmb::tools {

class SignalWaiter {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (and threads it starts later). Call
  // before starting other threads (gRPC starts its own on first use).
  SignalWaiter();
  ~SignalWaiter();  // unblocks the signals
  // Calls `on_signal(signo)` once, from a waiting thread, when one arrives.
  void on_signal(std::function<void(int)> on_signal);
  bool signalled() const { return signalled_.load(); }
  int signal_number() const { return signo_.load(); }

 private:
  std::thread thread_;
  std::atomic<bool> signalled_{false};
  std::atomic<int> signo_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace rmb::tools
