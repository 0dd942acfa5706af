#include "tests/support/fake_gateway.h"

#include <algorithm>
#include <future>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rmb::test {

using gateway::Outcome;
using Answer = FakeGateway::Answer;

Answer Answer::reply(const core::AddressText& from, std::string data, std::optional<std::string> schema,
                     uint64_t timestamp) {
  Answer a;
  a.outcome.source = from;
  a.outcome.data = std::move(data);
  a.outcome.schema = std::move(schema);
  a.outcome.timestamp = timestamp;
  return a;
}

Answer Answer::remote_error(const core::AddressText& from, gateway::RmbError error) {
  Answer a;
  a.outcome.source = from;
  a.outcome.error = std::move(error);
  return a;
}

Answer Answer::relay_error(gateway::RmbError error, uint64_t timestamp) {
  Answer a;
  a.outcome.origin = Outcome::Origin::kRelay;
  a.outcome.error = std::move(error);
  a.outcome.timestamp = timestamp;
  return a;
}

Answer Answer::local_error(gateway::RmbError error) {
  Answer a;
  a.outcome.origin = Outcome::Origin::kLocal;
  a.outcome.error = std::move(error);
  return a;
}

Answer Answer::expire() {
  Answer a;
  a.outcome.origin = Outcome::Origin::kLocal;
  a.outcome.expired = true;
  return a;
}

Answer Answer::hold(Answer on_release) {
  on_release.kind = Kind::kHold;
  return on_release;
}

Answer Answer::silent() { return Answer{Kind::kSilent, {}}; }
Answer Answer::loop_back() { return Answer{Kind::kLoopBack, {}}; }
Answer Answer::refuse() { return Answer{Kind::kRefuse, {}}; }

FakeGateway::FakeGateway(Script script) : script_(std::move(script)), thread_([this] { run(); }) {}

FakeGateway::~FakeGateway() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void FakeGateway::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything posted has run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void FakeGateway::post(std::function<void()> task) {
  std::lock_guard lock(mu_);
  tasks_.push_back(std::move(task));
  cv_.notify_all();
}

template <class Holds>
bool FakeGateway::wait(Holds holds, std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, holds);
}

absl::StatusOr<std::string> FakeGateway::request(gateway::OutgoingRequest request, OutcomeHandler on_outcome,
                                                 DoneHandler on_done) {
  if (request.destinations.empty()) return absl::InvalidArgumentError("no destination");
  std::vector<Answer> answers;
  for (const auto& d : request.destinations) {
    answers.push_back(script_(request, d));
    if (answers.back().kind == Answer::Kind::kRefuse) {
      return absl::ResourceExhaustedError("too many requests in flight");
    }
  }
  std::string uid;
  std::vector<std::function<void()>> tasks;  // posted once the lock is released, in order
  {
    std::lock_guard lock(mu_);
    uid = request.uid && !request.uid->empty() ? *request.uid : absl::StrCat("uid-", next_uid_++);
    pending_[uid] = Pending{on_outcome, on_done, request.destinations.size()};
    for (size_t i = 0; i < answers.size(); ++i) {
      Outcome o = std::move(answers[i].outcome);
      o.uid = uid;
      o.destination = request.destinations[i];
      switch (answers[i].kind) {
        case Answer::Kind::kOutcome:
          tasks.push_back([this, o = std::move(o)] { answer(o); });
          break;
        case Answer::Kind::kHold:
          held_.push_back(std::move(o));
          break;
        case Answer::Kind::kLoopBack: {
          gateway::IncomingRequest in;
          in.uid = i == 0 ? absl::StrCat("in-", uid) : absl::StrCat("in-", uid, "-", i);  // one per destination
          in.source = o.destination;
          in.command = request.command;
          in.data = request.data;
          in.schema = request.schema;
          in.tags = request.tags;
          in.timestamp = request.timestamp;
          in.expiration = request.expiration;
          looped_[in.uid] = Looped{uid, o.destination};
          tasks.push_back([this, in = std::move(in)] { loop_back(in); });
          break;
        }
        case Answer::Kind::kSilent:
        case Answer::Kind::kRefuse:
          break;
      }
    }
    sent_.push_back(Sent{uid, std::move(request), std::move(on_outcome), std::move(on_done)});
    cv_.notify_all();
  }
  for (auto& task : tasks) post(std::move(task));
  return uid;
}

void FakeGateway::loop_back(const gateway::IncomingRequest& in) {
  if (deliver(in)) return;
  Outcome o;
  {
    std::lock_guard lock(mu_);
    auto it = looped_.find(in.uid);
    if (it == looped_.end()) return;
    o.uid = it->second.uid;
    o.destination = it->second.destination;
    looped_.erase(it);
  }
  o.origin = Outcome::Origin::kLocal;
  o.error = gateway::RmbError{0, "no service"};
  answer(std::move(o));
}

void FakeGateway::answer(Outcome outcome) {
  OutcomeHandler on_outcome;
  DoneHandler on_done;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(outcome.uid);
    if (it == pending_.end()) return;  // cancelled, or answered already
    on_outcome = it->second.on_outcome;
    if (--it->second.left == 0) {
      on_done = std::move(it->second.on_done);
      pending_.erase(it);
    }
  }
  on_outcome(std::move(outcome));
  if (on_done) on_done();
}

void FakeGateway::cancel(const std::string& uid) {
  std::lock_guard lock(mu_);
  pending_.erase(uid);
  cancelled_.push_back(uid);
  cv_.notify_all();
}

void FakeGateway::reply(const std::string& uid, const core::AddressText& destination, gateway::ServiceReply reply) {
  Outcome o;
  {
    std::lock_guard lock(mu_);
    replied_.push_back(Replied{uid, destination, reply});
    cv_.notify_all();
    auto it = looped_.find(uid);
    if (it == looped_.end() || it->second.destination.twin != destination.twin) return;
    o.uid = it->second.uid;
    o.destination = it->second.destination;
    looped_.erase(it);
  }
  o.source = o.destination;
  o.data = std::move(reply.data);
  o.schema = std::move(reply.schema);
  o.error = std::move(reply.error);
  o.timestamp = reply.timestamp;
  post([this, o = std::move(o)] { answer(o); });
}

void FakeGateway::add_service(const std::string& command, std::shared_ptr<gateway::RequestSink> sink) {
  std::lock_guard lock(mu_);
  services_[command].push_back(std::move(sink));
  cv_.notify_all();
}

void FakeGateway::remove_service(const std::string& command, const gateway::RequestSink* sink) {
  std::lock_guard lock(mu_);
  std::erase_if(services_[command], [sink](const auto& s) { return s.get() == sink; });
  cv_.notify_all();
}

void FakeGateway::set_fallback(std::shared_ptr<gateway::RequestSink> sink) {
  std::lock_guard lock(mu_);
  fallback_ = std::move(sink);
}

void FakeGateway::set_orphan_reply_sink(std::shared_ptr<gateway::OrphanReplySink> sink) {
  std::lock_guard lock(mu_);
  orphan_sink_ = std::move(sink);
}

template <class T>
T FakeGateway::read(const T& field) {
  std::lock_guard lock(mu_);
  return field;
}

template <class Records>
bool FakeGateway::wait_count(const Records& records, size_t count, std::chrono::milliseconds limit) {
  return wait([&] { return records.size() >= count; }, limit);
}

std::vector<FakeGateway::Sent> FakeGateway::sent() { return read(sent_); }
std::vector<std::string> FakeGateway::cancelled() { return read(cancelled_); }
std::vector<FakeGateway::Replied> FakeGateway::replied() { return read(replied_); }
std::shared_ptr<gateway::RequestSink> FakeGateway::fallback() { return read(fallback_); }
bool FakeGateway::has_orphan_sink() { return read(orphan_sink_) != nullptr; }

bool FakeGateway::wait_sent(size_t count, std::chrono::milliseconds limit) { return wait_count(sent_, count, limit); }
bool FakeGateway::wait_cancelled(size_t count, std::chrono::milliseconds limit) {
  return wait_count(cancelled_, count, limit);
}
bool FakeGateway::wait_replied(size_t count, std::chrono::milliseconds limit) {
  return wait_count(replied_, count, limit);
}

bool FakeGateway::deliver(const gateway::IncomingRequest& request) {
  std::vector<std::shared_ptr<gateway::RequestSink>> sinks;
  {
    std::lock_guard lock(mu_);
    if (auto it = services_.find(request.command); it != services_.end()) sinks = it->second;
    if (fallback_) sinks.push_back(fallback_);
  }
  return std::any_of(sinks.begin(), sinks.end(), [&](const auto& s) { return s->offer(request); });
}

bool FakeGateway::wait_sinks(const std::string& command, size_t count, std::chrono::milliseconds limit) {
  return wait([&] { return services_[command].size() == count; }, limit);
}

void FakeGateway::orphan(Outcome reply) {
  post([this, reply = std::move(reply)] {
    std::shared_ptr<gateway::OrphanReplySink> sink;
    {
      std::lock_guard lock(mu_);
      sink = orphan_sink_;
    }
    if (sink) sink->on_orphan_reply(reply);
  });
}

void FakeGateway::release_held() {
  std::vector<Outcome> held;
  {
    std::lock_guard lock(mu_);
    held.swap(held_);
  }
  for (auto& o : held) post([this, o = std::move(o)] { answer(o); });
}

bool FakeGateway::sync(std::chrono::milliseconds limit) {
  auto ran = std::make_shared<std::promise<void>>();
  auto done = ran->get_future();
  post([ran] { ran->set_value(); });
  return done.wait_for(limit) == std::future_status::ready;
}

}  // namespace rmb::test
