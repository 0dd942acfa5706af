#include "gateway/api/send_reactor.h"

#include <memory>
#include <mutex>

#include "gateway/api/convert.h"
#include "gateway/api/write_queue.h"

namespace rmb::gateway::api {
namespace {

namespace v1 = rmb::api::v1;

// Outcomes arrive on gateway threads and wait in `writes_`. gRPC calls are made without
// holding `mu_`: a reaction may run on the calling thread before StartWrite/Finish return.
class SendReactor final : public grpc::ServerWriteReactor<v1::SendResponse>,
                          public std::enable_shared_from_this<SendReactor> {
 public:
  explicit SendReactor(Outbox& outbox) : outbox_(outbox) {}

  void start(grpc::CallbackServerContext* context, const v1::SendRequest& send) {
    self_ = shared_from_this();
    if (send.command().empty()) return finish_now(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "command is empty"));
    if (send.destinations().empty()) {
      return finish_now(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no destinations"));
    }
    OutgoingRequest request;
    for (const auto& d : send.destinations()) {
      if (d.twin() == 0) return finish_now(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "a destination twin is 0"));
      request.destinations.push_back(from_api(d));
    }
    request.command = send.command();
    request.data = send.data();
    if (send.has_schema()) request.schema = send.schema();
    if (send.has_tags()) request.tags = send.tags();
    request.expiration = expiration_for(context->deadline(), send.ttl_seconds());

    auto self = self_;
    auto uid = outbox_.request(
        std::move(request), [self](Outcome outcome) { self->on_outcome(std::move(outcome)); },
        [self] { self->on_done(); });
    if (!uid.ok()) return finish_now(status_of(uid.status()));
    bool cancel = false;
    {
      std::lock_guard lock(mu_);
      uid_ = *uid;
      cancel = cancelled_;
    }
    if (cancel) outbox_.cancel(*uid);
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      writes_.written(ok);  // not ok: the stream is gone; OnCancel follows
    }
    pump();
  }

  void OnCancel() override {
    std::string uid;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      uid = uid_;
      writes_.drop_waiting();
      closing_ = true;
      status_ = grpc::Status::CANCELLED;
    }
    if (!uid.empty()) outbox_.cancel(uid);
    pump();
  }

  void OnDone() override { auto keep = std::move(self_); }

 private:
  void on_outcome(Outcome outcome) {
    {
      std::lock_guard lock(mu_);
      if (closing_) return;
      to_api(outcome, &writes_.add());
    }
    pump();
  }

  void on_done() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    pump();
  }

  void finish_now(grpc::Status status) {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      status_ = std::move(status);
    }
    pump();
  }

  // Starts the next write, or finishes once closing and drained. Called without `mu_`.
  void pump() {
    api::pump(mu_, *this, writes_, [this] {
      return PumpDecision{true, closing_ ? std::optional(status_) : std::nullopt};
    });
  }

  Outbox& outbox_;
  std::mutex mu_;
  std::string uid_;
  WriteQueue<v1::SendResponse> writes_;  // at most one entry per destination
  bool closing_ = false;
  bool cancelled_ = false;
  grpc::Status status_ = grpc::Status::OK;
  std::shared_ptr<SendReactor> self_;
};

}  // namespace

grpc::ServerWriteReactor<v1::SendResponse>* start_send(Outbox& outbox, grpc::CallbackServerContext* context,
                                                       const v1::SendRequest* request) {
  auto reactor = std::make_shared<SendReactor>(outbox);
  reactor->start(context, *request);
  return reactor.get();
}

}  // namespace rmb::gateway::api
