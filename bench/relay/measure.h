#pragma once
// The shape every timed scenario shares: connect (within a deadline), run a warm-up,
// then count over a fixed measured window on the steady clock, then tear down. All on
// one io_context thread; the run ends by itself even if a server stops answering.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace rmb::bench {

struct Window {
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds setup_deadline{20000};
};

struct Measured {
  std::string error;   // non-empty: setup failed, nothing measured
  uint64_t count = 0;  // counted during the measured window
  double seconds = 0;  // measured window length, as the clock saw it
};

struct MeasureHooks {
  // Starts connecting; calls the argument once with "" when all is ready, or an error.
  std::function<void(std::function<void(const std::string&)>)> setup;
  std::function<void()> start;                 // begin the load
  std::function<uint64_t()> count;             // monotonic event counter
  std::function<void(bool measured)> on_mark;  // optional: measurement begins (true) / ends (false)
  // Optional: after the measured window, halt() stops new load and the run waits (up to
  // 2 s) until drained() says nothing is in flight, so no message is left in the server
  // (e.g. in a relay mailbox) to leak into the next run.
  std::function<void()> halt;
  std::function<bool()> drained;
  std::function<void()> stop;  // stop the load and close every connection
};

// Runs `hooks` on `ioc` (calling ioc.run itself) and returns what was counted.
Measured run_measured(boost::asio::io_context& ioc, const Window& window, const MeasureHooks& hooks);

}  // namespace rmb::bench
