#include "tests/gateway/api/scripted_gateway.h"

#include <algorithm>
#include <chrono>

namespace rmb::test {

using gateway::Outcome;

namespace {
constexpr auto kWait = std::chrono::seconds(20);
}

absl::StatusOr<std::string> ScriptedGateway::request(gateway::OutgoingRequest request, OutcomeHandler on_outcome,
                                                     DoneHandler on_done) {
  if (request.command == "refuse") return absl::ResourceExhaustedError("too many requests in flight");
  std::string uid;
  {
    std::lock_guard lock(mu_);
    uid = "uid-" + std::to_string(++next_uid_);
    sent_.push_back(Sent{uid, request, on_outcome, on_done});
    cv_.notify_all();
  }
  const std::string& command = request.command;
  const bool scripted = command == "echo" || command == "unknown" || command == "remote-error" ||
                        command == "relay-error" || command == "expire";
  if (!scripted) return uid;
  for (const auto& d : request.destinations) {
    Outcome o;
    o.uid = uid;
    o.destination = d;
    if (command == "echo") {
      o.source = d;
      o.data = request.data;
      o.schema = request.schema;
      o.timestamp = 1700000000;
    } else if (command == "unknown") {
      o.origin = Outcome::Origin::kLocal;
      o.error = gateway::RmbError{103, "unknown twin id '" + std::to_string(d.twin) + "'"};
    } else if (command == "remote-error") {
      o.source = d;
      o.error = gateway::RmbError{0, "calc: division by zero"};
    } else if (command == "relay-error") {
      o.origin = Outcome::Origin::kRelay;
      o.error = gateway::RmbError{0, "destination offline"};
    } else {
      o.origin = Outcome::Origin::kLocal;
      o.expired = true;
    }
    on_outcome(std::move(o));
  }
  on_done();
  return uid;
}

void ScriptedGateway::cancel(const std::string& uid) {
  std::lock_guard lock(mu_);
  cancelled_.push_back(uid);
  cv_.notify_all();
}

void ScriptedGateway::reply(const std::string& uid, const core::AddressText& destination, gateway::ServiceReply reply) {
  std::lock_guard lock(mu_);
  replied_.push_back(Replied{uid, destination, std::move(reply)});
  cv_.notify_all();
}

void ScriptedGateway::add_service(const std::string& command, std::shared_ptr<gateway::RequestSink> sink) {
  std::lock_guard lock(mu_);
  services_[command].push_back(std::move(sink));
  cv_.notify_all();
}

void ScriptedGateway::remove_service(const std::string& command, const gateway::RequestSink* sink) {
  std::lock_guard lock(mu_);
  auto& list = services_[command];
  std::erase_if(list, [sink](const auto& s) { return s.get() == sink; });
  cv_.notify_all();
}

void ScriptedGateway::set_fallback(std::shared_ptr<gateway::RequestSink>) {}

bool ScriptedGateway::deliver(const gateway::IncomingRequest& request) {
  std::vector<std::shared_ptr<gateway::RequestSink>> sinks;
  {
    std::lock_guard lock(mu_);
    sinks = services_[request.command];
  }
  for (const auto& s : sinks) {
    if (s->offer(request)) return true;
  }
  return false;
}

size_t ScriptedGateway::sinks(const std::string& command) {
  std::lock_guard lock(mu_);
  return services_[command].size();
}

bool ScriptedGateway::wait_sinks(const std::string& command, size_t count) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return services_[command].size() == count; });
}

std::vector<ScriptedGateway::Sent> ScriptedGateway::sent() {
  std::lock_guard lock(mu_);
  return sent_;
}
bool ScriptedGateway::wait_sent(size_t count) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return sent_.size() >= count; });
}
std::vector<std::string> ScriptedGateway::cancelled() {
  std::lock_guard lock(mu_);
  return cancelled_;
}
bool ScriptedGateway::wait_cancelled(size_t count) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return cancelled_.size() >= count; });
}
std::vector<ScriptedGateway::Replied> ScriptedGateway::replied() {
  std::lock_guard lock(mu_);
  return replied_;
}
bool ScriptedGateway::wait_replied(size_t count) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return replied_.size() >= count; });
}

}  // namespace rmb::test
