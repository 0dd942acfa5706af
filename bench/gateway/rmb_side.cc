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
