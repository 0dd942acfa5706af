#pragma once
// A test-local gateway (Outbox + ServiceRegistry) for the front door's integration tests
// until the real engine is used: requests to twin `self` loop back as incoming requests to
// the registered fallback sink (so a Redis caller reaches a Redis worker through the same
// front door), `unknown` twins get a local 103, `relay_error` twins a relay error, `held`
// twins wait until release_held() (outages, concurrency), and any other twin answers at
// once with "echo:" + payload. A request given a uid keeps it (a re-issue). Callbacks run
// on the fake's own thread, as a gateway's would, never inside request().
// (tests/gateway/api/scripted_gateway.h is the other fake Outbox: scripted by command name,
// recording what the gRPC front door hands it; the two front doors need different fakes.)
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/front_door.h"

namespace rmb::test {

class LoopbackGateway : public gateway::Outbox, public gateway::ServiceRegistry {
 public:
  static constexpr uint32_t kSelf = 7;
  static constexpr uint32_t kUnknown = 99;
  static constexpr uint32_t kRelayError = 98;
  static constexpr uint32_t kHeld = 97;
  static constexpr uint32_t kSilent = 96;  // never answered: expires after its ttl

  LoopbackGateway();
  ~LoopbackGateway() override;

  absl::StatusOr<std::string> request(gateway::OutgoingRequest request, OutcomeHandler on_outcome,
                                      DoneHandler on_done) override;
  void cancel(const std::string& uid) override;
  void reply(const std::string& uid, const core::AddressText& destination, gateway::ServiceReply reply) override;
  void add_service(const std::string&, std::shared_ptr<gateway::RequestSink>) override {}
  void remove_service(const std::string&, const gateway::RequestSink*) override {}
  void set_fallback(std::shared_ptr<gateway::RequestSink> sink) override;
  void set_orphan_reply_sink(std::shared_ptr<gateway::OrphanReplySink> sink) override;

  // Requests accepted so far (popped and handed over by the front door), in order.
  std::vector<gateway::OutgoingRequest> requests();
  size_t request_count();
  // Waits until `n` requests were accepted (false after 30 s).
  bool wait_requests(size_t n);
  // Answers every held request now.
  void release_held();
  // Replies that did not belong to a looped-back request (e.g. from a remote caller).
  std::vector<std::pair<std::string, gateway::ServiceReply>> foreign_replies();
  std::shared_ptr<gateway::RequestSink> fallback();
  bool has_orphan_sink();
  // Hands `reply` to the orphan reply sink on the fake's thread, as the engine does with a
  // reply for no pending request (dropped when no sink is set).
  void orphan(gateway::Outcome reply);
  // Returns once everything posted to the fake's thread so far has run.
  void sync();
  size_t cancelled();

 private:
  struct Pending {
    gateway::OutgoingRequest request;
    OutcomeHandler on_outcome;
    DoneHandler on_done;
    size_t left = 0;
  };
  void post(std::function<void()> task);
  void answer(const std::string& uid, gateway::Outcome outcome);
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  uint64_t next_uid_ = 1;
  std::map<std::string, Pending> pending_;
  std::map<std::string, std::string> loopback_;  // incoming uid -> outgoing uid
  std::vector<std::pair<std::string, uint32_t>> held_;
  std::vector<gateway::OutgoingRequest> accepted_;
  std::vector<std::pair<std::string, gateway::ServiceReply>> foreign_;
  std::shared_ptr<gateway::RequestSink> fallback_;
  std::shared_ptr<gateway::OrphanReplySink> orphan_sink_;
  size_t cancelled_ = 0;
  std::thread thread_;
};

}  // namespace rmb::test
