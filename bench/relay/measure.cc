#include "bench/relay/measure.h"

#include <boost/asio/steady_timer.hpp>

namespace rmb::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

Measured run_measured(asio::io_context& ioc, const Window& window, const MeasureHooks& hooks) {
  Measured result;
  asio::steady_timer timer(ioc);
  bool setup_done = false;
  uint64_t c0 = 0;
  Clock::time_point t0;
  bool stopped = false;
  auto finish = [&] {
    if (stopped) return;
    stopped = true;
    timer.cancel();
    hooks.stop();
  };

  timer.expires_after(window.setup_deadline);
  timer.async_wait([&](boost::system::error_code ec) {
    if (ec || setup_done) return;
    result.error = "setup did not finish within the deadline";
    finish();
  });
  Clock::time_point drain_until;
  std::function<void()> poll_drained = [&] {
    if (hooks.drained() || Clock::now() >= drain_until) return finish();
    timer.expires_after(std::chrono::milliseconds(5));
    timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) poll_drained();
    });
  };
  hooks.setup([&](const std::string& error) {
    if (setup_done || stopped) return;
    setup_done = true;
    if (!error.empty()) {
      result.error = error;
      return finish();
    }
    hooks.start();
    timer.expires_after(window.warmup);
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      c0 = hooks.count();
      t0 = Clock::now();
      if (hooks.on_mark) hooks.on_mark(true);
      timer.expires_after(window.duration);
      timer.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        result.count = hooks.count() - c0;
        result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        if (hooks.on_mark) hooks.on_mark(false);
        if (!hooks.halt || !hooks.drained) return finish();
        hooks.halt();
        drain_until = Clock::now() + std::chrono::seconds(2);
        poll_drained();
      });
    });
  });
  // Teardown closes every socket, so run() returns once the aborted handlers have run;
  // the bound only guards against a hang in that teardown.
  const auto limit = window.setup_deadline + window.warmup + window.duration + std::chrono::seconds(12);
  ioc.run_for(limit);
  if (!stopped) {
    result.error = "run did not finish in time";
    finish();
    ioc.restart();
    ioc.run_for(std::chrono::seconds(2));
  }
  return result;
}

}  // namespace rmb::bench
