#include "gateway/api/call_reactor.h"

#include <memory>
#include <mutex>
#include <optional>

#include "gateway/api/convert.h"

namespace rmb::gateway::api {
namespace {

namespace v1 = rmb::api::v1;

// Owned by a shared_ptr to itself until OnDone, and by the Outbox handlers until they are
// dropped: an outcome that races with cancellation finds a live object whose `finished_`
// says that gRPC must not be touched any more.
class CallReactor final : public grpc::ServerUnaryReactor, public std::enable_shared_from_this<CallReactor> {
 public:
  CallReactor(Outbox& outbox, v1::Reply* reply) : outbox_(outbox), reply_(reply) {}

  void start(grpc::CallbackServerContext* context, const v1::CallRequest& call) {
    self_ = shared_from_this();
    auto request = request_of(call, context->deadline());
    if (!request.ok()) return finish(status_of(request.status()));
    auto self = self_;
    auto uid = outbox_.request(
        std::move(*request), [self](Outcome outcome) { self->on_outcome(std::move(outcome)); },
        [self] { self->on_done(); });
    if (!uid.ok()) return finish(status_of(uid.status()));
    bool cancel = false;
    {
      std::lock_guard lock(mu_);
      uid_ = *uid;
      cancel = cancelled_;
    }
    // The client went away while the request was being handed over.
    if (cancel) outbox_.cancel(*uid);
  }

  void OnCancel() override {
    std::string uid;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      uid = uid_;
    }
    if (!uid.empty()) outbox_.cancel(uid);
    finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    auto keep = std::move(self_);  // released when this returns
  }

 private:
  void on_outcome(Outcome outcome) {
    std::lock_guard lock(mu_);
    if (!outcome_) outcome_ = std::move(outcome);
  }

  void on_done() {
    std::optional<Outcome> outcome;
    {
      std::lock_guard lock(mu_);
      outcome = std::move(outcome_);
    }
    if (!outcome) return finish(grpc::Status(grpc::StatusCode::INTERNAL, "the request ended without an outcome"));
    if (outcome->error || outcome->expired) return finish(status_of(*outcome));
    finish(grpc::Status::OK, &*outcome);
  }

  // `reply_` lives in the call's arena, which gRPC frees once a cancelled call is done: it is
  // filled only by whoever wins `finished_`, under the same lock, before Finish hands it over.
  void finish(grpc::Status status, const Outcome* fill = nullptr) {
    {
      std::lock_guard lock(mu_);
      if (finished_) return;
      finished_ = true;
      if (fill != nullptr) to_api(*fill, reply_);
    }
    Finish(std::move(status));
  }

  Outbox& outbox_;
  v1::Reply* reply_;
  std::mutex mu_;
  std::string uid_;
  bool cancelled_ = false;
  bool finished_ = false;
  std::optional<Outcome> outcome_;
  std::shared_ptr<CallReactor> self_;
};

}  // namespace

grpc::ServerUnaryReactor* start_call(Outbox& outbox, grpc::CallbackServerContext* context,
                                     const v1::CallRequest* request, v1::Reply* reply) {
  auto reactor = std::make_shared<CallReactor>(outbox, reply);
  reactor->start(context, *request);
  return reactor.get();
}

}  // namespace rmb::gateway::api
