#pragma once
// What the gateway offers its front doors (the gRPC API in gateway/api/, the Redis-queue
// API in compat/): send requests and get their outcomes, answer incoming requests, and
// register services that incoming requests are delivered to. The gateway does the RMB
// work (stamp, encrypt, sign, validate, decrypt, correlate, deduplicate); a front door only
// translates. Every method is thread-safe; callbacks run on gateway threads and must not
// block.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/protocol/envelope/address.h"
#include "core/protocol/envelope/ttl.h"

namespace rmb::gateway {

// An RMB error (Envelope.error, or one made by the gateway; PROTOCOL.md §8.9 codes).
struct RmbError {
  uint32_t code = 0;
  std::string message;
};

// A request a local app asks the gateway to send.
struct OutgoingRequest {
  // Empty: the gateway makes a new uid. Set: the request is sent again under this uid, e.g.
  // by a front door re-issuing what it had in flight before a restart (the receiving
  // gateway then answers from its reply cache instead of asking its service again).
  std::optional<std::string> uid;
  std::vector<core::AddressText> destinations;  // fan-out under one uid
  std::string command;
  std::string data;  // plaintext; the gateway encrypts when the destination has a key
  std::optional<std::string> schema;
  std::optional<std::string> tags;
  uint64_t timestamp = 0;                   // unix seconds; 0 = now (§8.5 stamp rule)
  uint64_t expiration = core::kDefaultTtl;  // seconds; > 0, capped at 1800
};

// How one destination of an OutgoingRequest was answered.
struct Outcome {
  enum class Origin {
    kRemote,  // the destination twin answered (response or error envelope)
    kRelay,   // a relay answered with an error (source twin 0)
    kLocal,   // this gateway: undeliverable (unknown twin, no relay link, ...) or expired
  };
  std::string uid;
  core::AddressText destination;  // the destination this outcome is for
  core::AddressText source;       // who answered (twin 0 for relay and local outcomes)
  Origin origin = Origin::kRemote;
  std::string data;  // decrypted payload; empty for errors
  std::optional<std::string> schema;
  uint64_t timestamp = 0;  // the answer's envelope timestamp; 0 for local outcomes
  std::optional<RmbError> error;
  bool expired = false;  // local: no answer came before the request's deadline
};

// A request from a remote twin for a local service.
struct IncomingRequest {
  std::string uid;
  core::AddressText source;
  std::string command;
  std::string data;  // decrypted
  std::optional<std::string> schema;
  std::optional<std::string> tags;
  uint64_t timestamp = 0;
  uint64_t expiration = 0;
};

// A service's answer to an IncomingRequest.
struct ServiceReply {
  std::string data;
  std::optional<std::string> schema;
  std::optional<RmbError> error;  // set: an error envelope instead of a response
  uint64_t timestamp = 0;         // 0 = now
};

class Outbox {
 public:
  using OutcomeHandler = std::function<void(Outcome)>;
  using DoneHandler = std::function<void()>;
  virtual ~Outbox() = default;

  // Sends `request` to each destination under one new uid (returned). `on_outcome` runs
  // once per destination (its reply, its error, or expiry at the deadline), then `on_done`
  // once. A request that cannot be sent at all (no destination, empty command, expiration
  // 0 or already past, too many in flight) returns an error and calls neither.
  virtual absl::StatusOr<std::string> request(OutgoingRequest request, OutcomeHandler on_outcome,
                                              DoneHandler on_done) = 0;
  // Stops waiting for `uid`; its handlers are not called any more.
  virtual void cancel(const std::string& uid) = 0;
  // Answers the incoming request `uid` from `destination` (the request's source).
  virtual void reply(const std::string& uid, const core::AddressText& destination, ServiceReply reply) = 0;
};

// Where the gateway delivers incoming requests.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  // Takes the request, or returns false when it cannot now (full, closing): the gateway then
  // offers it to another sink of the command or answers the caller with an error.
  virtual bool offer(const IncomingRequest& request) = 0;
};

// Where the gateway hands replies that match no request pending in this process: answers
// to requests sent before a restart (the Redis front door routes them through
// msgbus.backlog.<uid>, as rmb-rs does). `reply.destination` is set to `reply.source`.
class OrphanReplySink {
 public:
  virtual ~OrphanReplySink() = default;
  virtual void on_orphan_reply(const Outcome& reply) = 0;
};

class ServiceRegistry {
 public:
  virtual ~ServiceRegistry() = default;
  // Several sinks may serve one command; requests are shared among them.
  virtual void add_service(const std::string& command, std::shared_ptr<RequestSink> sink) = 0;
  virtual void remove_service(const std::string& command, const RequestSink* sink) = 0;
  // Receives requests for commands no registered sink serves (the Redis front door).
  virtual void set_fallback(std::shared_ptr<RequestSink> sink) = 0;
  // Receives replies for no pending request (nullptr: they are dropped with a log line).
  virtual void set_orphan_reply_sink(std::shared_ptr<OrphanReplySink> sink) = 0;
};

}  // namespace rmb::gateway
