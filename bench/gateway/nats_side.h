#pragma once
// The NATS baseline: request-reply through nats-server with the same payloads and the
// same closed-loop callers as the rmb side, no crypto.
//  - a responder connection subscribed to the service subject publishes each message's
//    payload back to its reply subject (its own I/O thread);
//  - one requester connection (as a NATS client library multiplexes its requests) with
//    an inbox subject per caller (its own I/O thread).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/gateway/closed_loop.h"
#include "bench/relay/nats_client.h"

namespace rmb::bench {

// A NatsClient with its own io_context thread.
class NatsConnection {
 public:
  // Connects, runs `setup` on the I/O thread (SUBs), and returns once the server has
  // processed it (a PING answered).
  static absl::StatusOr<std::unique_ptr<NatsConnection>> open(uint16_t port,
                                                              const std::function<void(NatsClient&)>& setup);
  ~NatsConnection();  // closes the connection and joins the thread
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  boost::asio::io_context& io() { return io_; }
  NatsClient& client() { return *client_; }

 private:
  NatsConnection() : work_(boost::asio::make_work_guard(io_)) {}
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<NatsClient> client_;
  std::thread thread_;
};

class NatsResponder {
 public:
  static absl::StatusOr<std::unique_ptr<NatsResponder>> start(uint16_t port, const std::string& subject);

 private:
  std::unique_ptr<NatsConnection> connection_;
};

class NatsRequesters {
 public:
  static absl::StatusOr<std::unique_ptr<NatsRequesters>> start(uint16_t port, const std::string& subject,
                                                               std::string payload, size_t callers);
  // ClosedLoop::Issue: PUB subject <inbox of caller> payload; ok when the payload comes
  // back on that inbox. A lost reply is never reported (ClosedLoop's drain says so).
  void issue(size_t caller, ClosedLoop::Done done);
  // Closes the connection first: no Done may run once the ClosedLoop is gone.
  ~NatsRequesters() { connection_.reset(); }

 private:
  NatsRequesters() = default;
  void on_reply(const NatsClient::Message& message);

  std::string subject_;
  std::string payload_;
  std::vector<std::string> inboxes_;
  std::vector<ClosedLoop::Done> pending_;  // I/O thread only
  std::unique_ptr<NatsConnection> connection_;
};

}  // namespace rmb::bench
