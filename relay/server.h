#pragma once
// rmb-relay as a library: build a Server from a Config, run() it on a pool of I/O threads,
// stop() it gracefully. main.cc is flag parsing around this; tests and benchmarks can run
// it in-process the same way.
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "relay/config.h"
#include "relay/federation/federator.h"
#include "relay/ip_limiter.h"
#include "relay/listener.h"
#include "relay/mailbox/mailbox.h"
#include "relay/metrics.h"
#include "relay/rate_limiter.h"
#include "relay/router.h"
#include "relay/session_registry.h"

namespace rmb::relay {

class Ranker;

class Server {
 public:
  // Opens the directory, the mailbox backend and the federator, and binds the listener
  // (so port() is valid at once, also for "--listen 127.0.0.1:0").
  static absl::StatusOr<std::unique_ptr<Server>> create(Config config);
  ~Server();

  uint16_t port() const { return listener_->port(); }
  // Runs `config.threads` I/O threads (this one included) until stop() finished.
  void run();
  // Graceful: stop accepting, close every session with "going away" after its queued
  // writes (bounded by config.shutdown_grace), then stop the I/O threads. Thread-safe.
  void stop();

  Metrics& metrics() { return metrics_; }
  SessionRegistry& sessions() { return sessions_; }
  Mailbox& mailbox() { return *mailbox_; }
  const Config& config() const { return config_; }

 private:
  explicit Server(Config config);
  void schedule_sweep();
  void wait_for_sessions(std::chrono::steady_clock::time_point deadline);

  Config config_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<core::TwinDirectory> directory_;
  Metrics metrics_;
  SessionRegistry sessions_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<Mailbox> mailbox_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Ranker> ranker_;
  std::unique_ptr<Federator> http_federator_;  // posts; the federator itself when no Redis
  std::unique_ptr<Federator> federator_;       // with --redis: the queue in Redis (uses the above)
  std::unique_ptr<IpLimits> ip_limits_;
  std::unique_ptr<ServerContext> ctx_;
  std::shared_ptr<Listener> listener_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer sweep_timer_;
  boost::asio::steady_timer stop_timer_;
  std::atomic<bool> stopping_{false};
};

// Raises RLIMIT_NOFILE's soft limit to the hard limit (§5.6); returns the new soft limit.
uint64_t raise_open_file_limit();

}  // namespace rmb::relay
