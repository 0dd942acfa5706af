#include "tests/compat/loopback_gateway.h"

#include <chrono>
#include <future>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rmb::test {

LoopbackGateway::LoopbackGateway() : thread_([this] { run(); }) {}

LoopbackGateway::~LoopbackGateway() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void LoopbackGateway::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void LoopbackGateway::post(std::function<void()> task) {
  std::lock_guard lock(mu_);
  tasks_.push_back(std::move(task));
  cv_.notify_all();
}

absl::StatusOr<std::string> LoopbackGateway::request(gateway::OutgoingRequest request, OutcomeHandler on_outcome,
                                                     DoneHandler on_done) {
  if (request.destinations.empty()) return absl::InvalidArgumentError("no destination");
  std::string uid;
  {
    std::lock_guard lock(mu_);
    uid = request.uid && !request.uid->empty() ? *request.uid : absl::StrCat("uid-", next_uid_++);
    pending_[uid] = Pending{request, std::move(on_outcome), std::move(on_done), request.destinations.size()};
  }
  for (const auto& dst : request.destinations) {
    gateway::Outcome o;
    o.uid = uid;
    o.destination = dst;
    if (dst.twin == kUnknown) {
      o.origin = gateway::Outcome::Origin::kLocal;
      o.error = gateway::RmbError{103, absl::StrCat("unknown twin id '", dst.twin, "'")};
      post([this, uid, o] { answer(uid, o); });
    } else if (dst.twin == kRelayError) {
      o.origin = gateway::Outcome::Origin::kRelay;
      o.timestamp = 1700000001;
      o.error = gateway::RmbError{0, "relay says no"};
      post([this, uid, o] { answer(uid, o); });
    } else if (dst.twin == kHeld) {
      std::lock_guard lock(mu_);
      held_.emplace_back(uid, dst.twin);
    } else if (dst.twin == kSilent) {
      // Nothing: the front door must not wait for it.
    } else if (dst.twin == kSelf) {
      gateway::IncomingRequest in;
      in.uid = absl::StrCat("in-", uid);
      in.source = {kSelf, std::nullopt};
      in.command = request.command;
      in.data = request.data;
      in.schema = request.schema;
      in.tags = request.tags;
      in.timestamp = request.timestamp;
      in.expiration = request.expiration;
      {
        std::lock_guard lock(mu_);
        loopback_[in.uid] = uid;
      }
      post([this, in, uid] {
        auto sink = fallback();
        if (sink == nullptr || !sink->offer(in)) {
          gateway::Outcome o;
          o.uid = uid;
          o.destination = {kSelf, std::nullopt};
          o.origin = gateway::Outcome::Origin::kLocal;
          o.error = gateway::RmbError{0, "no service"};
          answer(uid, o);
        }
      });
    } else {
      o.source = dst;
      o.origin = gateway::Outcome::Origin::kRemote;
      o.data = "echo:" + request.data;
      o.schema = request.schema;
      o.timestamp = 1700000005;
      post([this, uid, o] { answer(uid, o); });
    }
  }
  // Counted last, so that wait_requests() also means "held ones are registered".
  std::lock_guard lock(mu_);
  accepted_.push_back(std::move(request));
  cv_.notify_all();
  return uid;
}

void LoopbackGateway::answer(const std::string& uid, gateway::Outcome outcome) {
  OutcomeHandler on_outcome;
  DoneHandler on_done;
  bool last = false;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(uid);
    if (it == pending_.end()) return;  // cancelled
    on_outcome = it->second.on_outcome;
    last = --it->second.left == 0;
    if (last) {
      on_done = it->second.on_done;
      pending_.erase(it);
    }
  }
  on_outcome(std::move(outcome));
  if (last) on_done();
}

void LoopbackGateway::cancel(const std::string& uid) {
  std::lock_guard lock(mu_);
  if (pending_.erase(uid) > 0) ++cancelled_;
}

void LoopbackGateway::reply(const std::string& uid, const core::AddressText& destination, gateway::ServiceReply reply) {
  std::string outgoing;
  {
    std::lock_guard lock(mu_);
    auto it = loopback_.find(uid);
    if (it == loopback_.end() || destination.twin != kSelf) {
      foreign_.emplace_back(uid, std::move(reply));
      cv_.notify_all();
      return;
    }
    outgoing = it->second;
    loopback_.erase(it);
  }
  gateway::Outcome o;
  o.uid = outgoing;
  o.destination = {kSelf, std::nullopt};
  o.source = {kSelf, std::nullopt};
  o.origin = gateway::Outcome::Origin::kRemote;
  o.data = reply.data;
  o.schema = reply.schema;
  o.error = reply.error;
  o.timestamp = reply.timestamp;
  post([this, outgoing, o] { answer(outgoing, o); });
}

void LoopbackGateway::set_fallback(std::shared_ptr<gateway::RequestSink> sink) {
  std::lock_guard lock(mu_);
  fallback_ = std::move(sink);
}

void LoopbackGateway::set_orphan_reply_sink(std::shared_ptr<gateway::OrphanReplySink> sink) {
  std::lock_guard lock(mu_);
  orphan_sink_ = std::move(sink);
}

std::shared_ptr<gateway::RequestSink> LoopbackGateway::fallback() {
  std::lock_guard lock(mu_);
  return fallback_;
}

bool LoopbackGateway::has_orphan_sink() {
  std::lock_guard lock(mu_);
  return orphan_sink_ != nullptr;
}

void LoopbackGateway::orphan(gateway::Outcome reply) {
  post([this, reply = std::move(reply)] {
    std::shared_ptr<gateway::OrphanReplySink> sink;
    {
      std::lock_guard lock(mu_);
      sink = orphan_sink_;
    }
    if (sink) sink->on_orphan_reply(reply);
  });
}

void LoopbackGateway::sync() {
  auto ran = std::make_shared<std::promise<void>>();
  auto done = ran->get_future();
  post([ran] { ran->set_value(); });
  done.wait();
}

std::vector<gateway::OutgoingRequest> LoopbackGateway::requests() {
  std::lock_guard lock(mu_);
  return accepted_;
}

size_t LoopbackGateway::request_count() {
  std::lock_guard lock(mu_);
  return accepted_.size();
}

bool LoopbackGateway::wait_requests(size_t n) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return accepted_.size() >= n; });
}

void LoopbackGateway::release_held() {
  std::vector<std::pair<std::string, uint32_t>> held;
  {
    std::lock_guard lock(mu_);
    held.swap(held_);
  }
  for (auto& [uid, twin] : held) {
    gateway::Outcome o;
    o.uid = uid;
    o.destination = {twin, std::nullopt};
    o.source = {twin, std::nullopt};
    o.origin = gateway::Outcome::Origin::kRemote;
    o.timestamp = 1700000005;
    {
      std::lock_guard lock(mu_);
      auto it = pending_.find(uid);
      if (it != pending_.end()) o.data = "held:" + it->second.request.data;
    }
    post([this, uid = uid, o] { answer(uid, o); });  // clang 14 cannot capture a structured binding
  }
}

std::vector<std::pair<std::string, gateway::ServiceReply>> LoopbackGateway::foreign_replies() {
  std::lock_guard lock(mu_);
  return foreign_;
}

size_t LoopbackGateway::cancelled() {
  std::lock_guard lock(mu_);
  return cancelled_;
}

}  // namespace rmb::test
