#pragma once
// An Outbox + ServiceRegistry that a test scripts by command name, behind the real gRPC
// service (gateway/api) on a real loopback port. (tests/compat/loopback_gateway.h is the
// other fake Outbox: scripted by destination twin, answering on its own thread, for the
// Redis front door.)
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/front_door.h"

namespace rmb::test {

class ScriptedGateway final : public gateway::Outbox, public gateway::ServiceRegistry {
 public:
  struct Sent {
    std::string uid;
    gateway::OutgoingRequest request;
    OutcomeHandler on_outcome;
    DoneHandler on_done;
  };
  struct Replied {
    std::string uid;
    core::AddressText destination;
    gateway::ServiceReply reply;
  };

  // Commands: "echo" answers each destination with the data; "unknown" gives a local 103;
  // "remote-error" a remote error; "relay-error" a relay error; "expire" a local expiry;
  // "refuse" fails request() with RESOURCE_EXHAUSTED; anything else is held (see held()).
  absl::StatusOr<std::string> request(gateway::OutgoingRequest request, OutcomeHandler on_outcome,
                                      DoneHandler on_done) override;
  void cancel(const std::string& uid) override;
  void reply(const std::string& uid, const core::AddressText& destination, gateway::ServiceReply reply) override;

  void add_service(const std::string& command, std::shared_ptr<gateway::RequestSink> sink) override;
  void remove_service(const std::string& command, const gateway::RequestSink* sink) override;
  void set_fallback(std::shared_ptr<gateway::RequestSink> sink) override;
  void set_orphan_reply_sink(std::shared_ptr<gateway::OrphanReplySink>) override {}

  // Offers `request` to the sinks of its command, first to last; false when none took it.
  bool deliver(const gateway::IncomingRequest& request);
  size_t sinks(const std::string& command);
  bool wait_sinks(const std::string& command, size_t count);

  std::vector<Sent> sent();
  bool wait_sent(size_t count);
  std::vector<std::string> cancelled();
  bool wait_cancelled(size_t count);
  std::vector<Replied> replied();
  bool wait_replied(size_t count);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_uid_ = 0;
  std::vector<Sent> sent_;
  std::vector<std::string> cancelled_;
  std::vector<Replied> replied_;
  std::map<std::string, std::vector<std::shared_ptr<gateway::RequestSink>>> services_;
};

}  // namespace rmb::test
