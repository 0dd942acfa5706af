#pragma once
// The error codes an RMB peer puts in an envelope's error{code}, with the texts the
// reference writes beside them (PROTOCOL.md §8.9). The number is what the wire carries and
// what rmb-rs clients switch on, so these values never change.
#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace rmb::core::rmb_error {

// (various): relay-generated errors, failures of a handler, anything of no kind below.
inline constexpr uint32_t kUnspecified = 0;
// "invalid message payload type"
inline constexpr uint32_t kInvalidPayloadType = 100;
// "invalid message payload data: <protobuf error>"
inline constexpr uint32_t kInvalidPayloadData = 101;
// "envelope validation error: message has expired"
inline constexpr uint32_t kExpired = 102;
// "unknown twin id '<id>'"
inline constexpr uint32_t kUnknownTwin = 103;
// "invalid envelope signature: <reason>"
inline constexpr uint32_t kInvalidSignature = 104;
// "sender twin has no public key"
inline constexpr uint32_t kNoPublicKey = 105;
// "e2e error: <reason>"
inline constexpr uint32_t kE2e = 106;
// "other: <context>"
inline constexpr uint32_t kOther = 500;

// Every code above, in increasing order.
inline constexpr std::array<uint32_t, 9> kAll = {kUnspecified, kInvalidPayloadType, kInvalidPayloadData, kExpired,
                                                 kUnknownTwin, kInvalidSignature,   kNoPublicKey,        kE2e,
                                                 kOther};

// The reference's message for `code`, with `detail` where its text has a slot (the
// protobuf error, twin id, reason or context above); codes without a text give `detail`.
// absl's string_view: most details are an absl::Status message.
std::string text(uint32_t code, absl::string_view detail = {});

}  // namespace rmb::core::rmb_error
