#include "gateway/api/serve_reactor.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "core/obs/log.h"
#include "core/protocol/errors.h"
#include "core/util/clock.h"
#include "gateway/api/convert.h"
#include "gateway/api/write_queue.h"

namespace rmb::gateway::api {
namespace {

namespace v1 = rmb::api::v1;
using core::log_debug;
using core::log_warn;

class ServeReactor;

// What the registry holds: a sink that reaches the stream only while it lives. The
// reactor is kept by a shared_ptr to itself until OnDone; after that lock() may still
// succeed for a moment, but the stream then refuses (`closing_`).
class StreamSink final : public RequestSink {
 public:
  explicit StreamSink(std::weak_ptr<ServeReactor> stream) : stream_(std::move(stream)) {}
  bool offer(const IncomingRequest& request) override;

 private:
  std::weak_ptr<ServeReactor> stream_;
};

// Lifetime: owned by `self_` from the start until OnDone, and briefly by sinks that are
// offering. All gRPC calls (StartRead/StartWrite/Finish) are made without holding `mu_`,
// because a reaction may run on the calling thread before they return. Finish is called
// once, only when no read or write is outstanding.
class ServeReactor final : public grpc::ServerBidiReactor<v1::ServeRequest, v1::ServeResponse>,
                           public std::enable_shared_from_this<ServeReactor> {
 public:
  ServeReactor(Outbox& outbox, ServiceRegistry& registry, ServeHub& hub, ServeOptions options)
      : outbox_(outbox), registry_(registry), hub_(hub), options_(options) {}

  void start() {
    self_ = shared_from_this();
    reading_ = true;
    StartRead(&in_);
  }

  // From the gateway (any thread): takes a request for one of our commands.
  bool offer(const IncomingRequest& request) {
    {
      std::lock_guard lock(mu_);
      if (!accepting_ || closing_ || pending_.size() >= max_in_flight_) return false;
      std::string id = std::to_string(++next_id_);
      to_api(request, id, writes_.add().mutable_request());
      pending_.emplace(std::move(id), request);
    }
    pump();
    return true;
  }

  void OnReadDone(bool ok) override {
    bool registered;
    {
      std::lock_guard lock(mu_);
      reading_ = false;
      registered = !commands_.empty();
    }
    if (!ok) return close(grpc::Status::OK);  // the service half-closed or went away
    if (in_.has_register_()) {
      if (registered) {
        return close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "already registered on this stream"));
      }
      if (auto status = do_register(in_.register_()); !status.ok()) return close(std::move(status));
    } else if (in_.has_reply()) {
      if (!registered) {
        return close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be register"));
      }
      answer(in_.reply());
    } else {
      return close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                registered ? "empty ServeRequest" : "the first message must be register"));
    }
    in_.Clear();
    bool read_more;
    {
      std::lock_guard lock(mu_);
      read_more = !closing_;
      reading_ = read_more;
    }
    if (read_more) {
      StartRead(&in_);
    } else {
      pump();  // closed meanwhile (OnCancel): finish now that no read is outstanding
    }
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      writes_.written(ok);  // not ok: the stream broke; OnReadDone(false) / OnCancel close it
    }
    pump();
  }

  void OnCancel() override { close(grpc::Status::CANCELLED); }

  void OnDone() override { auto keep = std::move(self_); }

 private:
  grpc::Status do_register(const v1::Registration& registration) {
    std::set<std::string> commands;
    for (const auto& c : registration.commands()) {
      if (c.empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "a command name is empty");
      commands.insert(c);
    }
    if (commands.empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "register names no command");
    uint32_t limit = registration.max_in_flight();
    if (limit == 0) limit = options_.default_max_in_flight;
    limit = std::min(limit, options_.max_in_flight_cap);
    auto sink = std::make_shared<StreamSink>(weak_from_this());
    {
      std::lock_guard lock(mu_);
      if (closing_) return grpc::Status::OK;  // cancelled meanwhile; nothing to register
      sink_ = sink;
      commands_ = commands;
      max_in_flight_ = limit;
      // Registered goes first in the write queue, before any request.
      auto* done = writes_.add().mutable_registered();
      for (const auto& c : commands) done->add_commands(c);
      accepting_ = true;
    }
    for (const auto& c : commands) {
      registry_.add_service(c, sink);
      hub_.add(c, sink);
    }
    bool closed_meanwhile;
    {
      std::lock_guard lock(mu_);
      closed_meanwhile = closing_;
    }
    if (closed_meanwhile) {  // close() ran between the two locks and may have missed these
      for (const auto& c : commands) {
        registry_.remove_service(c, sink.get());
        hub_.remove(c, sink.get());
      }
    }
    core::log_debug("serve stream registered ", commands.size(), " command(s), max in flight ", limit);
    pump();
    return grpc::Status::OK;
  }

  void answer(const v1::ServiceReply& reply) {
    std::optional<IncomingRequest> request;
    {
      std::lock_guard lock(mu_);
      auto it = pending_.find(reply.request_id());
      if (it != pending_.end()) {
        request = std::move(it->second);
        pending_.erase(it);
      }
    }
    if (!request) {
      core::log_warn("serve: reply to unknown request_id '", reply.request_id(), "' ignored");
      return;
    }
    outbox_.reply(request->uid, request->source, from_api(reply));
  }

  // Stops taking requests, gives the unanswered ones to another stream of the same
  // command (or answers them with an error), and finishes once the write in flight is done.
  void close(grpc::Status status) {
    std::vector<IncomingRequest> orphans;
    std::set<std::string> commands;
    std::shared_ptr<StreamSink> sink;
    {
      std::unique_lock lock(mu_);
      if (closing_) {
        lock.unlock();
        pump();  // the first close may have waited for the read that just ended
        return;
      }
      sink = sink_;
      closing_ = true;
      accepting_ = false;
      status_ = std::move(status);
      for (auto& [id, request] : pending_) orphans.push_back(std::move(request));
      pending_.clear();
      writes_.drop_waiting();
      commands = commands_;
    }
    for (const auto& c : commands) {
      registry_.remove_service(c, sink.get());
      hub_.remove(c, sink.get());
    }
    const uint64_t now = core::unix_now();
    for (auto& request : orphans) {
      const bool alive = request.timestamp + request.expiration > now;
      if (alive && hub_.offer(request)) {
        core::log_debug("serve: request ", request.uid, " handed to another stream");
        continue;
      }
      ServiceReply error;
      error.error = RmbError{core::rmb_error::kUnspecified, "service went away"};
      outbox_.reply(request.uid, request.source, std::move(error));
    }
    pump();
  }

  // Writes while open; finishes once closing with no read outstanding.
  void pump() {
    api::pump(mu_, *this, writes_, [this] {
      return PumpDecision{!closing_, closing_ && !reading_ ? std::optional(status_) : std::nullopt};
    });
  }

  Outbox& outbox_;
  ServiceRegistry& registry_;
  ServeHub& hub_;
  const ServeOptions options_;
  v1::ServeRequest in_;  // only touched by read reactions (one at a time)

  std::mutex mu_;
  std::shared_ptr<StreamSink> sink_;
  std::set<std::string> commands_;
  size_t max_in_flight_ = 0;
  uint64_t next_id_ = 0;
  std::map<std::string, IncomingRequest> pending_;  // request_id -> request
  WriteQueue<v1::ServeResponse> writes_;
  bool accepting_ = false;
  bool reading_ = false;
  bool closing_ = false;
  grpc::Status status_ = grpc::Status::OK;
  std::shared_ptr<ServeReactor> self_;
};

bool StreamSink::offer(const IncomingRequest& request) {
  auto stream = stream_.lock();
  return stream && stream->offer(request);
}

}  // namespace

grpc::ServerBidiReactor<v1::ServeRequest, v1::ServeResponse>* start_serve(Outbox& outbox, ServiceRegistry& registry,
                                                                          ServeHub& hub, ServeOptions options) {
  auto reactor = std::make_shared<ServeReactor>(outbox, registry, hub, options);
  reactor->start();
  return reactor.get();
}

}  // namespace rmb::gateway::api
