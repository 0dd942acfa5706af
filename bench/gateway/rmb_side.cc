#include "bench/gateway/rmb_side.h"

#include <chrono>
#include <future>

#include "absl/strings/str_cat.h"

namespace rmb::bench {

namespace apiv1 = rmb::api::v1;
using namespace std::chrono_literals;

absl::StatusOr<std::unique_ptr<EchoService>> EchoService::start(const std::string& address, const std::string& command,
                                                                uint32_t max_in_flight) {
  std::unique_ptr<EchoService> service(new EchoService());
  service->stub_ = apiv1::Gateway::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  service->stream_ = service->stub_->Serve(&service->context_);
  apiv1::ServeRequest hello;
  hello.mutable_register_()->add_commands(command);
  hello.mutable_register_()->set_max_in_flight(max_in_flight);
  if (!service->stream_->Write(hello)) {
    return absl::UnavailableError(absl::StrCat("Serve on ", address, ": the stream closed at registration"));
  }
  // Read the Registered answer on a helper thread so that a silent peer cannot hang us.
  auto registered = std::async(std::launch::async, [&service] {
    apiv1::ServeResponse response;
    return service->stream_->Read(&response) && response.has_registered();
  });
  if (registered.wait_for(10s) != std::future_status::ready) {
    service->context_.TryCancel();
    registered.wait();
    return absl::DeadlineExceededError(absl::StrCat("Serve on ", address, ": no Registered within 10 s"));
  }
  if (!registered.get()) {
    grpc::Status status = service->stream_->Finish();
    return absl::UnavailableError(
        absl::StrCat("Serve on ", address, ": registration refused: ", status.error_message()));
  }
  service->thread_ = std::thread([s = service.get()] { s->serve(); });
  return service;
}

void EchoService::serve() {
  // One thread reads and answers: a reply is written before the next request is read,
  // which the gateway's per-stream window (max_in_flight) keeps from deadlocking.
  apiv1::ServeResponse in;
  apiv1::ServeRequest out;
  while (stream_->Read(&in)) {
    if (!in.has_request()) continue;
    auto* reply = out.mutable_reply();
    reply->set_request_id(in.request().request_id());
    reply->set_data(in.request().data());
    if (!stream_->Write(out)) break;
    served_.fetch_add(1, std::memory_order_relaxed);
  }
}

EchoService::~EchoService() {
  context_.TryCancel();
  if (thread_.joinable()) thread_.join();
  if (stream_) stream_->Finish();
}

RmbCallers::RmbCallers(const std::string& address, uint32_t destination, const std::string& command,
                       std::string payload, size_t callers)
    : payload_(std::move(payload)), slots_(callers) {
  channel_ = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  stub_ = apiv1::Gateway::NewStub(channel_);
  request_.mutable_destination()->set_twin(destination);
  request_.set_command(command);
  request_.set_data(payload_);
}

void RmbCallers::issue(size_t caller, ClosedLoop::Done done) {
  Slot& slot = slots_[caller];
  slot.turn ^= 1;
  auto& context = slot.contexts[slot.turn];
  context = std::make_unique<grpc::ClientContext>();  // one per call, by gRPC's rules
  context->set_deadline(std::chrono::system_clock::now() + 30s);
  slot.reply.Clear();
  stub_->async()->Call(
      context.get(), &request_, &slot.reply, [this, &slot, done = std::move(done)](grpc::Status status) {
        if (!status.ok()) {
          done(false, absl::StrCat("gRPC ", status.error_code(), ": ", status.error_message()));
        } else if (slot.reply.data() != payload_) {
          done(false, absl::StrCat("reply of ", slot.reply.data().size(), " bytes is not the payload sent"));
        } else {
          done(true, "");
        }
      });
}

StreamCallers::StreamCallers(const std::string& address, uint32_t destination, const std::string& command,
                             std::string payload, size_t callers)
    : payload_(std::move(payload)), waiting_(callers) {
  channel_ = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  stub_ = apiv1::Gateway::NewStub(channel_);
  call_.mutable_call()->mutable_destination()->set_twin(destination);
  call_.mutable_call()->set_command(command);
  call_.mutable_call()->set_data(payload_);
  call_.mutable_call()->set_ttl_seconds(30);
  stub_->async()->Calls(&context_, this);
  StartRead(&in_);
  StartCall();
}

StreamCallers::~StreamCallers() {
  {
    std::lock_guard lock(mu_);
    if (done_) return;
  }
  StartWritesDone();
  std::unique_lock lock(mu_);
  if (!ended_.wait_for(lock, 30s, [this] { return done_; })) {
    lock.unlock();
    context_.TryCancel();
    lock.lock();
    ended_.wait(lock, [this] { return done_; });
  }
}

void StreamCallers::issue(size_t caller, ClosedLoop::Done done) {
  const apiv1::StreamedCall* next = nullptr;
  {
    std::lock_guard lock(mu_);
    if (done_) {
      done(false, "the Calls stream has ended");
      return;
    }
    waiting_[caller] = std::move(done);
    auto& call = writes_.emplace_back(call_);
    call.set_id(caller);
    if (!writing_) {
      writing_ = true;
      next = &writes_.front();
    }
  }
  if (next) StartWrite(next);
}

void StreamCallers::OnWriteDone(bool ok) {
  const apiv1::StreamedCall* next = nullptr;
  {
    std::lock_guard lock(mu_);
    writes_.pop_front();
    writing_ = ok && !writes_.empty();
    if (writing_) next = &writes_.front();
  }
  if (next) StartWrite(next);
}

void StreamCallers::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  ClosedLoop::Done done;
  {
    std::lock_guard lock(mu_);
    if (in_.id() < waiting_.size()) {
      done = std::move(waiting_[in_.id()]);
      waiting_[in_.id()] = nullptr;
    }
  }
  std::string error;
  if (in_.has_error()) {
    error = absl::StrCat("gRPC ", in_.status_code(), ": ", in_.error().message());
  } else if (in_.reply().data() != payload_) {
    error = absl::StrCat("reply of ", in_.reply().data().size(), " bytes is not the payload sent");
  }
  StartRead(&in_);  // `in_` is read into again: what `done` needs was copied above
  if (done) done(error.empty(), error);
}

void StreamCallers::OnDone(const grpc::Status& status) {
  fail_all(status.ok() ? "the Calls stream ended"
                       : absl::StrCat("Calls stream: gRPC ", status.error_code(), ": ", status.error_message()));
}

void StreamCallers::fail_all(const std::string& why) {
  std::vector<ClosedLoop::Done> failed;
  {
    std::lock_guard lock(mu_);
    done_ = true;
    for (auto& d : waiting_) {
      if (d) failed.push_back(std::move(d));
      d = nullptr;
    }
    // Under the lock: the destructor may free `this` as soon as it sees done_.
    ended_.notify_all();
  }
  for (auto& d : failed) d(false, why);
}

InfoCallers::InfoCallers(const std::string& address, size_t callers) : slots_(callers) {
  channel_ = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  stub_ = apiv1::Gateway::NewStub(channel_);
}

void InfoCallers::issue(size_t caller, ClosedLoop::Done done) {
  Slot& slot = slots_[caller];
  slot.turn ^= 1;
  auto& context = slot.contexts[slot.turn];
  context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + 30s);
  stub_->async()->Info(context.get(), &request_, &slot.response, [done = std::move(done)](grpc::Status status) {
    if (status.ok()) {
      done(true, "");
    } else {
      done(false, absl::StrCat("gRPC ", status.error_code(), ": ", status.error_message()));
    }
  });
}

}  // namespace rmb::bench
