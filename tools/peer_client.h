#pragma once
// What the gRPC commands (call, send, serve, info, ping, health) share: the --peer option
// and the channel to rmb-peer, destination parsing, request data input, and turning a gRPC
// status from rmb-peer into one clear error line with the RMB code and an exit code.
//
// Exit codes of these commands (docs/cli.md):
//   0 ok; 1 RMB error (remote, relay or gateway: unknown twin, bad signature, service error);
//   2 usage error (also a request rmb-peer refuses as INVALID_ARGUMENT);
//   3 rmb-peer unreachable, no relay link, no answer in time, or too busy (retry later).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "core/protocol/envelope/address.h"
#include "rmb/api/v1/gateway.grpc.pb.h"
#include "tools/command.h"

namespace rmb::tools {

inline constexpr int kExitUnavailable = 3;
inline constexpr char kPeerEnv[] = "RMB_PEER";
inline constexpr char kDefaultPeer[] = "127.0.0.1:7070";

// --peer ADDR (default $RMB_PEER, else 127.0.0.1:7070).
void add_peer_option(po::options_description& options);
std::string peer_address(const po::variables_map& vm);

// A channel to rmb-peer at `address` ("host:port" or "unix:/path"), connected within
// `timeout`; otherwise a CliError (exit 3) naming the address and how to start a peer.
std::shared_ptr<grpc::Channel> connect_peer(const std::string& address,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

// "42" or "42:session".
api::v1::Address parse_destination(const Invocation& inv, const std::string& text);
// "1,2,3" and repeated flags, each element "twin[:sid]".
std::vector<api::v1::Address> parse_destinations(const Invocation& inv, const std::vector<std::string>& values);
std::string format_address(const api::v1::Address& address);

// --data TEXT | --data-file F | --data - (stdin); nothing given: empty data.
void add_data_options(po::options_description& options);
std::string request_data(const Invocation& inv, const po::variables_map& vm);

// --timeout SECS (default `default_seconds`), checked > 0.
void add_timeout_option(po::options_description& options, double default_seconds);
std::chrono::milliseconds timeout_option(const Invocation& inv, const po::variables_map& vm);

// A failed RPC, understood.
struct RpcError {
  grpc::StatusCode grpc_code = grpc::StatusCode::UNKNOWN;
  std::string grpc_name;                 // "DEADLINE_EXCEEDED"
  std::string message;                   // rmb-peer's message
  std::optional<api::v1::RmbError> rmb;  // from grpc-status-details-bin, when present
  int exit_code = kExitFailure;
  std::string hint;
};

struct CallContext {  // what the hint can mention
  std::string peer;
  std::string command;
  std::string destination;
  double timeout_seconds = 0;
};

RpcError describe(const grpc::Status& status, const CallContext& context);
// "twin 42: RMB error 103 (NOT_FOUND): unknown twin id '42'"-style one line.
std::string one_line(const RpcError& error);
CliError to_cli_error(const RpcError& error);
// An RmbError inside a Send stream (no gRPC status): same rules, code from the RMB code.
RpcError describe(const api::v1::RmbError& error, const CallContext& context);

// Reply data for --json output: the text when it is valid UTF-8, else {"base64": "..."}.
nlohmann::ordered_json data_json(const std::string& data);
nlohmann::ordered_json error_json(const RpcError& error);

// Seconds since the epoch, as a double, for log lines.
std::string log_time();

}  // namespace rmb::tools
