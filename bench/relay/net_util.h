#pragma once
// Loopback helpers for starting servers: a free port, and readiness probes that give
// up after a deadline.
#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace rmb::bench {

// A port on 127.0.0.1 that was free a moment ago (bound to 0, read back, closed).
absl::StatusOr<uint16_t> free_loopback_port();

// GET `target` on 127.0.0.1:port; the HTTP status code, or an error after `timeout`.
absl::StatusOr<int> http_get_status(uint16_t port, const std::string& target, std::chrono::milliseconds timeout);

// Connects to 127.0.0.1:port and reads until `prefix` arrives (e.g. NATS "INFO").
absl::Status expect_greeting(uint16_t port, const std::string& prefix, std::chrono::milliseconds timeout);

}  // namespace rmb::bench
