#include "tests/support/peer_client.h"

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>

#include <future>

namespace rmb::test {

std::shared_ptr<grpc::Channel> peer_channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  args.SetMaxSendMessageSize(64 * 1024 * 1024);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<apiv1::Gateway::Stub> peer_stub(const std::string& address) {
  return apiv1::Gateway::NewStub(peer_channel(address));
}

std::optional<apiv1::RmbError> rmb_error_of(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  apiv1::RmbError error;
  if (!error.ParseFromString(status.error_details())) return std::nullopt;
  return error;
}

CallResult call_twin(apiv1::Gateway::Stub& stub, uint32_t twin, const std::string& command, const std::string& data,
                     std::chrono::milliseconds deadline) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  apiv1::CallRequest request;
  request.mutable_destination()->set_twin(twin);
  request.set_command(command);
  request.set_data(data);
  CallResult result;
  result.status = stub.Call(&context, request, &result.reply);
  return result;
}

namespace {

// The services' own protos are not installed, so requests are written and responses read
// as raw protobuf fields.
std::string to_string(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::ByteBuffer to_buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string length_delimited(int field, const std::string& value) {
  std::string out;
  out.push_back(static_cast<char>((field << 3) | 2));
  out.push_back(static_cast<char>(value.size()));  // short values only
  return out + value;
}

}  // namespace

absl::StatusOr<int> health_check(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::ByteBuffer request = to_buffer(service.empty() ? std::string() : length_delimited(1, service));
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(to_string(response))) return absl::DataLossError("bad HealthCheckResponse");
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) return static_cast<int>(fields.field(i).varint());
  }
  return 0;  // UNKNOWN (the default value is not on the wire)
}

absl::StatusOr<std::vector<std::string>> reflection_services(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t expected) {
    return cq.Next(&tag, &ok) && ok && reinterpret_cast<intptr_t>(tag) == expected;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (!step(1)) return absl::UnavailableError("reflection call did not start");
  // ServerReflectionRequest { list_services (7): "" }
  const grpc::ByteBuffer request = to_buffer(length_delimited(7, ""));
  call->Write(request, reinterpret_cast<void*>(2));
  if (!step(2)) return absl::UnavailableError("reflection write failed");
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  if (!step(3)) return absl::UnavailableError("reflection read failed");
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  // ServerReflectionResponse { list_services_response (6): { service (1): { name (1) } } }
  google::protobuf::UnknownFieldSet top;
  if (!top.ParseFromString(to_string(response))) return absl::DataLossError("bad reflection response");
  std::vector<std::string> names;
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6) continue;
    google::protobuf::UnknownFieldSet list;
    if (!list.ParseFromString(top.field(i).length_delimited())) continue;
    for (int j = 0; j < list.field_count(); ++j) {
      if (list.field(j).number() != 1) continue;
      google::protobuf::UnknownFieldSet service;
      if (!service.ParseFromString(list.field(j).length_delimited())) continue;
      for (int k = 0; k < service.field_count(); ++k) {
        if (service.field(k).number() == 1) names.push_back(service.field(k).length_delimited());
      }
    }
  }
  return names;
}

std::unique_ptr<ServeClient> ServeClient::start(const std::string& address, const std::vector<std::string>& commands,
                                                Handler handler, uint32_t max_in_flight, grpc::Status* status) {
  auto client = std::unique_ptr<ServeClient>(new ServeClient());
  client->handler_ = std::move(handler);
  client->channel_ = peer_channel(address);
  client->stub_ = apiv1::Gateway::NewStub(client->channel_);
  client->stream_ = client->stub_->Serve(&client->context_);
  apiv1::ServeRequest hello;
  for (const auto& c : commands) hello.mutable_register_()->add_commands(c);
  hello.mutable_register_()->set_max_in_flight(max_in_flight);
  client->stream_->Write(hello);
  client->reader_ = std::thread([c = client.get()] { c->read_loop(); });
  std::unique_lock lock(client->mu_);
  client->cv_.wait_for(lock, std::chrono::seconds(20), [&] { return client->registered_ || client->ended_; });
  if (!client->registered_) {
    // The stream ended (e.g. INVALID_ARGUMENT) or never registered.
    client->cv_.wait_for(lock, std::chrono::seconds(5), [&] { return client->finished_; });
    if (status)
      *status = client->finished_ ? client->final_status_
                                  : grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "no Registered");
    lock.unlock();
    client->context_.TryCancel();
    return nullptr;
  }
  if (status) *status = grpc::Status::OK;
  return client;
}

void ServeClient::read_loop() {
  apiv1::ServeResponse in;
  while (stream_->Read(&in)) {
    if (in.has_registered()) {
      std::lock_guard lock(mu_);
      registered_ = true;
      cv_.notify_all();
      continue;
    }
    if (!in.has_request()) continue;
    auto answer = handler_(in.request());
    ++received_;
    {
      std::lock_guard lock(mu_);
      cv_.notify_all();
    }
    if (answer) {
      apiv1::ServeRequest out;
      *out.mutable_reply() = std::move(*answer);
      out.mutable_reply()->set_request_id(in.request().request_id());
      std::lock_guard lock(write_mu_);
      stream_->Write(out);
    }
  }
  grpc::Status status = stream_->Finish();
  std::lock_guard lock(mu_);
  ended_ = true;
  finished_ = true;
  final_status_ = status;
  cv_.notify_all();
}

bool ServeClient::wait_received(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return received_.load() >= count; });
}

void ServeClient::cancel() { context_.TryCancel(); }

grpc::Status ServeClient::finish() {
  {
    std::lock_guard lock(write_mu_);
    stream_->WritesDone();
  }
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(20), [&] { return finished_; });
  return finished_ ? final_status_ : grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "no final status");
}

ServeClient::~ServeClient() {
  context_.TryCancel();
  if (reader_.joinable()) reader_.join();
}

}  // namespace rmb::test
