#pragma once
// What another thread or process does "a moment later" (a counter, a Redis stream, a metric)
// is waited for by polling, bounded: success returns at once, so limits can be generous.
#include <chrono>
#include <thread>

namespace rmb::test {

// Reads `read()` until `done(value)` holds or `limit` passes; returns the last value read.
template <class Read, class Done>
auto poll_until(Read read, Done done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  auto value = read();
  while (!done(value) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(every);
    value = read();
  }
  return value;
}

}  // namespace rmb::test
