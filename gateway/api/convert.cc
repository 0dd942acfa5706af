#include "gateway/api/convert.h"

#include <algorithm>

#include "core/protocol/envelope/ttl.h"
#include "core/protocol/errors.h"

namespace rmb::gateway::api {

namespace v1 = rmb::api::v1;

core::AddressText from_api(const v1::Address& address) {
  core::AddressText out;
  out.twin = address.twin();
  if (!address.session().empty()) out.connection = address.session();
  return out;
}

void to_api(const core::AddressText& address, v1::Address* out) {
  out->set_twin(address.twin);
  if (address.connection) out->set_session(*address.connection);
}

uint64_t expiration_for(std::chrono::system_clock::time_point deadline, uint32_t ttl_seconds,
                        std::chrono::system_clock::time_point now) {
  // gRPC reports "no deadline" as time_point::max().
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return ttl_seconds == 0 ? core::kDefaultTtl : std::min<uint64_t>(ttl_seconds, core::kMaxTtl);
  }
  if (deadline - now >= std::chrono::seconds(core::kMaxTtl)) return core::kMaxTtl;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
  // Nearest second: gRPC's timeout header rounds up, so a "3 s" deadline arrives as a bit
  // more than 3000 ms.
  const uint64_t seconds = ms <= 0 ? 1 : static_cast<uint64_t>((ms + 500) / 1000);
  return std::clamp<uint64_t>(seconds, 1, core::kMaxTtl);
}

absl::StatusOr<OutgoingRequest> request_of(const v1::CallRequest& call,
                                           std::chrono::system_clock::time_point deadline) {
  if (call.command().empty()) return absl::InvalidArgumentError("command is empty");
  if (call.destination().twin() == 0) return absl::InvalidArgumentError("destination twin is not set");
  OutgoingRequest request;
  request.destinations.push_back(from_api(call.destination()));
  request.command = call.command();
  request.data = call.data();
  if (call.has_schema()) request.schema = call.schema();
  if (call.has_tags()) request.tags = call.tags();
  request.expiration = expiration_for(deadline, call.ttl_seconds());
  return request;
}

v1::RmbError error_of(const Outcome& outcome) {
  v1::RmbError error;
  if (outcome.error) {
    error.set_code(outcome.error->code);
    error.set_message(outcome.error->message);
  } else if (outcome.expired) {
    error.set_code(core::rmb_error::kUnspecified);
    error.set_message("no answer before the request expired");
  }
  switch (outcome.origin) {
    case Outcome::Origin::kRemote:
      to_api(outcome.source, error.mutable_source());
      break;
    case Outcome::Origin::kRelay:
      error.mutable_source()->set_twin(0);
      break;
    case Outcome::Origin::kLocal:
      break;
  }
  return error;
}

grpc::StatusCode status_code_of(const Outcome& outcome) {
  if (outcome.expired) return grpc::StatusCode::DEADLINE_EXCEEDED;
  const uint32_t code = outcome.error ? outcome.error->code : core::rmb_error::kUnspecified;
  switch (code) {
    case core::rmb_error::kExpired:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case core::rmb_error::kUnknownTwin:
      return grpc::StatusCode::NOT_FOUND;
    case core::rmb_error::kInvalidSignature:
    case core::rmb_error::kNoPublicKey:
      return grpc::StatusCode::UNAUTHENTICATED;
    default:
      break;
  }
  // What the gateway itself could not do is "not available now" (no relay link, directory
  // unreachable); an answer from elsewhere is an RMB-level refusal.
  return outcome.origin == Outcome::Origin::kLocal ? grpc::StatusCode::UNAVAILABLE : grpc::StatusCode::ABORTED;
}

grpc::Status status_of(const Outcome& outcome) {
  const v1::RmbError error = error_of(outcome);
  std::string message = error.message();
  if (message.empty()) message = "rmb error " + std::to_string(error.code());
  return grpc::Status(status_code_of(outcome), message, error.SerializeAsString());
}

v1::RmbError error_of(const absl::Status& status) {
  v1::RmbError error;
  error.set_code(core::rmb_error::kUnspecified);
  error.set_message(std::string(status.message()));
  return error;
}

grpc::StatusCode status_code_of(const absl::Status& status) {
  if (status.ok()) return grpc::StatusCode::INTERNAL;  // never a success here
  return static_cast<grpc::StatusCode>(status.code());
}

grpc::Status status_of(const absl::Status& status) {
  const v1::RmbError error = error_of(status);
  return grpc::Status(status_code_of(status), error.message(), error.SerializeAsString());
}

void to_api(const Outcome& outcome, v1::Reply* out) {
  out->set_uid(outcome.uid);
  to_api(outcome.source, out->mutable_source());
  out->set_data(outcome.data);
  if (outcome.schema) out->set_schema(*outcome.schema);
  out->set_timestamp(outcome.timestamp);
}

void to_api(const Outcome& outcome, v1::SendResponse* out) {
  out->set_uid(outcome.uid);
  to_api(outcome.destination, out->mutable_destination());
  if (outcome.error || outcome.expired) {
    *out->mutable_error() = error_of(outcome);
  } else {
    to_api(outcome, out->mutable_reply());
  }
}

void to_api(uint64_t id, const Outcome& outcome, v1::StreamedReply* out) {
  out->set_id(id);
  if (outcome.error || outcome.expired) {
    *out->mutable_error() = error_of(outcome);
    out->set_status_code(status_code_of(outcome));
  } else {
    to_api(outcome, out->mutable_reply());
  }
}

void to_api(uint64_t id, const absl::Status& refused, v1::StreamedReply* out) {
  out->set_id(id);
  *out->mutable_error() = error_of(refused);
  out->set_status_code(status_code_of(refused));
}

void to_api(const IncomingRequest& request, const std::string& request_id, v1::IncomingRequest* out) {
  out->set_request_id(request_id);
  out->set_uid(request.uid);
  to_api(request.source, out->mutable_source());
  out->set_command(request.command);
  out->set_data(request.data);
  if (request.schema) out->set_schema(*request.schema);
  if (request.tags) out->set_tags(*request.tags);
  out->set_timestamp(request.timestamp);
  out->set_expiration(request.expiration);
}

ServiceReply from_api(const v1::ServiceReply& reply) {
  ServiceReply out;
  out.data = reply.data();
  if (reply.has_schema()) out.schema = reply.schema();
  if (reply.has_error()) out.error = RmbError{reply.error().code(), reply.error().message()};
  return out;
}

}  // namespace rmb::gateway::api
