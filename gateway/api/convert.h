#pragma once
// Translation between the gRPC API messages (rmb.api.v1) and the front-door value types
// (gateway/front_door.h), and the mapping of RMB outcomes to gRPC statuses described in
// the header comment of proto/rmb/api/v1/gateway.proto.
#include <chrono>
#include <cstdint>
#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/front_door.h"
#include "rmb/api/v1/gateway.pb.h"

namespace rmb::gateway::api {

// Session "" means the twin's default session.
core::AddressText from_api(const rmb::api::v1::Address& address);
void to_api(const core::AddressText& address, rmb::api::v1::Address* out);

// Envelope expiration (seconds) for a call: the gRPC deadline when there is one (nearest
// second, at least 1), else `ttl_seconds`, else 300; capped at 1800.
uint64_t expiration_for(std::chrono::system_clock::time_point deadline, uint32_t ttl_seconds,
                        std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The request a Call (or one call of a Calls stream) makes; INVALID_ARGUMENT for a call that
// names no command or no destination twin. `deadline`: the gRPC call's (max: none).
absl::StatusOr<OutgoingRequest> request_of(const rmb::api::v1::CallRequest& call,
                                           std::chrono::system_clock::time_point deadline);

// The RmbError of a failed outcome (source: the remote twin, twin 0 for a relay, unset for
// this gateway).
rmb::api::v1::RmbError error_of(const Outcome& outcome);
// The gRPC status of a failed outcome: code from the RMB code and origin, message from the
// RMB error, binary details = the serialized RmbError.
grpc::Status status_of(const Outcome& outcome);
grpc::StatusCode status_code_of(const Outcome& outcome);

// Outbox::request refused the request: same code (absl and gRPC share the numbering), the
// details carry an RmbError with code 0 and the message.
grpc::Status status_of(const absl::Status& status);
rmb::api::v1::RmbError error_of(const absl::Status& status);
grpc::StatusCode status_code_of(const absl::Status& status);

void to_api(const Outcome& outcome, rmb::api::v1::Reply* out);
void to_api(const Outcome& outcome, rmb::api::v1::SendResponse* out);
// The answer on a Calls stream to call `id`: its outcome, or why the gateway refused it.
void to_api(uint64_t id, const Outcome& outcome, rmb::api::v1::StreamedReply* out);
void to_api(uint64_t id, const absl::Status& refused, rmb::api::v1::StreamedReply* out);
void to_api(const IncomingRequest& request, const std::string& request_id, rmb::api::v1::IncomingRequest* out);
ServiceReply from_api(const rmb::api::v1::ServiceReply& reply);

}  // namespace rmb::gateway::api
