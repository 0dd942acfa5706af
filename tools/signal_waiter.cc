#include "tools/signal_waiter.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

namespace rmb::tools {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalWaiter::SignalWaiter() {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWaiter::~SignalWaiter() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void SignalWaiter::on_signal(std::function<void(int)> handler) {
  thread_ = std::thread([this, handler = std::move(handler)] {
    const sigset_t set = stop_signals();
    // sigtimedwait with a short period, so the destructor can end the thread.
    const timespec period{0, 200 * 1000 * 1000};
    while (!stopping_) {
      const int signo = sigtimedwait(&set, nullptr, &period);
      if (signo > 0) {
        signo_ = signo;
        signalled_ = true;
        handler(signo);
        return;
      }
    }
  });
}

}  // namespace rmb::tools
