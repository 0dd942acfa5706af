#pragma once
// The one fake gateway (gateway::Outbox + gateway::ServiceRegistry) for tests of the front
// doors (the gRPC API in tests/gateway/api, the Redis queues in tests/compat): it records
// what a front door hands it (requests, cancels, replies, registrations) and answers each
// destination of a request as the test's Script says. Outcomes, incoming requests looped
// back and orphan replies are delivered on the fake's own thread, as a gateway's are, never
// inside request(): a front door must not rely on being called back before request()
// returns, nor on being called back later.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/front_door.h"

namespace rmb::test {

class FakeGateway final : public gateway::Outbox, public gateway::ServiceRegistry {
 public:
  // How one destination of a request is answered. The outcome's uid and destination are
  // filled in by the fake.
  struct Answer {
    enum class Kind {
      kOutcome,   // `outcome`, at once
      kHold,      // `outcome`, once release_held() is called
      kSilent,    // never
      kLoopBack,  // delivered as an IncomingRequest (source: the destination) to the sinks of
                  // its command, then the fallback; the reply() to it becomes the outcome
      kRefuse,    // request() fails with RESOURCE_EXHAUSTED (too many in flight) and records
                  // nothing, whatever the other destinations say
    };
    Kind kind = Kind::kOutcome;
    gateway::Outcome outcome;

    // The destination answered with `data` (remote, source = the destination).
    static Answer reply(const core::AddressText& from, std::string data, std::optional<std::string> schema,
                        uint64_t timestamp);
    // The destination answered with an error envelope.
    static Answer remote_error(const core::AddressText& from, gateway::RmbError error);
    // A relay answered with an error (source twin 0).
    static Answer relay_error(gateway::RmbError error, uint64_t timestamp = 0);
    // This gateway could not deliver (e.g. 103 unknown twin).
    static Answer local_error(gateway::RmbError error);
    // No answer came before the deadline.
    static Answer expire();
    static Answer hold(Answer on_release);
    static Answer silent();
    static Answer loop_back();
    static Answer refuse();
  };
  // Chooses the answer for one destination of a request (by its command, its twin, ...).
  // Called inside request(), on the caller's thread.
  using Script = std::function<Answer(const gateway::OutgoingRequest&, const core::AddressText& destination)>;

  struct Sent {
    std::string uid;
    gateway::OutgoingRequest request;  // as the front door handed it over
    // The front door's handlers, for a test that answers a held request itself.
    OutcomeHandler on_outcome;
    DoneHandler on_done;
  };
  struct Replied {
    std::string uid;
    core::AddressText destination;
    gateway::ServiceReply reply;
  };

  // How long the wait_*() helpers wait by default: generous, since success returns at once.
  static constexpr std::chrono::milliseconds kWait = std::chrono::seconds(30);

  explicit FakeGateway(Script script);
  ~FakeGateway() override;  // runs what was posted to the fake's thread, then joins it
  FakeGateway(const FakeGateway&) = delete;
  FakeGateway& operator=(const FakeGateway&) = delete;

  // A request given a uid keeps it (a re-issue); others get "uid-1", "uid-2", ... A request
  // without destinations is refused (InvalidArgument), as the gateway refuses it.
  absl::StatusOr<std::string> request(gateway::OutgoingRequest request, OutcomeHandler on_outcome,
                                      DoneHandler on_done) override;
  void cancel(const std::string& uid) override;
  void reply(const std::string& uid, const core::AddressText& destination, gateway::ServiceReply reply) override;
  void add_service(const std::string& command, std::shared_ptr<gateway::RequestSink> sink) override;
  void remove_service(const std::string& command, const gateway::RequestSink* sink) override;
  void set_fallback(std::shared_ptr<gateway::RequestSink> sink) override;
  void set_orphan_reply_sink(std::shared_ptr<gateway::OrphanReplySink> sink) override;

  // What the front door handed over, in order. A request is recorded only once its
  // destinations are scripted (held ones registered), so wait_sent(n) also means that.
  std::vector<Sent> sent();
  bool wait_sent(size_t count, std::chrono::milliseconds limit = kWait);
  std::vector<std::string> cancelled();  // every cancel(uid), pending or not
  bool wait_cancelled(size_t count, std::chrono::milliseconds limit = kWait);
  std::vector<Replied> replied();  // every reply(), looped back or not
  bool wait_replied(size_t count, std::chrono::milliseconds limit = kWait);

  // Offers `request` to the sinks of its command, first to last, then to the fallback, on
  // the caller's thread (as the gateway does on its own); false when none took it.
  bool deliver(const gateway::IncomingRequest& request);
  // Waits until exactly `count` sinks serve `command`.
  bool wait_sinks(const std::string& command, size_t count, std::chrono::milliseconds limit = kWait);
  std::shared_ptr<gateway::RequestSink> fallback();
  bool has_orphan_sink();
  // Hands `reply` to the orphan reply sink on the fake's thread, as the gateway does with a
  // reply for no pending request (dropped when no sink is set).
  void orphan(gateway::Outcome reply);
  // Answers every held destination now (on the fake's thread; cancelled ones are dropped).
  void release_held();
  // Waits until everything posted to the fake's thread so far has run.
  bool sync(std::chrono::milliseconds limit = kWait);

 private:
  struct Pending {
    OutcomeHandler on_outcome;
    DoneHandler on_done;
    size_t left = 0;  // destinations not answered yet
  };
  struct Looped {
    std::string uid;  // of the outgoing request
    core::AddressText destination;
  };
  void post(std::function<void()> task);
  // On the fake's thread: hands `outcome` to its request's handlers (on_done after the last).
  void answer(gateway::Outcome outcome);
  // On the fake's thread: offers a looped-back request; nobody took it: a local error.
  void loop_back(const gateway::IncomingRequest& in);
  template <class Holds>
  bool wait(Holds holds, std::chrono::milliseconds limit);
  template <class Records>
  bool wait_count(const Records& records, size_t count, std::chrono::milliseconds limit);
  template <class T>
  T read(const T& field);  // a copy, taken under the lock
  void run();

  const Script script_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  uint64_t next_uid_ = 1;
  std::map<std::string, Pending> pending_;
  std::map<std::string, Looped> looped_;  // incoming uid -> the request it answers
  std::vector<gateway::Outcome> held_;
  std::vector<Sent> sent_;
  std::vector<std::string> cancelled_;
  std::vector<Replied> replied_;
  std::map<std::string, std::vector<std::shared_ptr<gateway::RequestSink>>> services_;
  std::shared_ptr<gateway::RequestSink> fallback_;
  std::shared_ptr<gateway::OrphanReplySink> orphan_sink_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace rmb::test
