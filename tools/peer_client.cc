#include "tools/peer_client.h"

#include <sodium.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_split.h"
#include "core/protocol/errors.h"

namespace rmb::tools {
namespace {

std::string grpc_code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "CODE_" + std::to_string(static_cast<int>(code));
  }
}

// The gRPC status an RMB code stands for when it arrives inside a Send stream
// (gateway.proto's table, read backwards).
grpc::StatusCode status_for_rmb_code(const api::v1::RmbError& error) {
  switch (error.code()) {
    case core::rmb_error::kUnknownTwin:
      return grpc::StatusCode::NOT_FOUND;
    case core::rmb_error::kExpired:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case core::rmb_error::kInvalidSignature:
    case core::rmb_error::kNoPublicKey:
      return grpc::StatusCode::UNAUTHENTICATED;
    default:
      return grpc::StatusCode::ABORTED;
  }
}

std::string seconds_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

void fill_hint(RpcError& e, const CallContext& c) {
  const std::string twin = c.destination.empty() ? "the twin" : "twin " + c.destination;
  const bool remote = e.rmb && e.rmb->has_source() && e.rmb->source().twin() != 0;
  const bool relay = e.rmb && e.rmb->has_source() && e.rmb->source().twin() == 0;
  switch (e.grpc_code) {
    case grpc::StatusCode::NOT_FOUND:
      e.exit_code = kExitFailure;
      e.hint = twin + " is not in the twin directory: check the id ('rmb directory list --file twins.json')";
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      e.exit_code = kExitUnavailable;
      if (e.rmb && e.rmb->code() == core::rmb_error::kExpired) {
        e.hint = "the request expired before it was handled: check both machines' clocks, or raise --timeout";
      } else {
        e.hint = "no answer in " + seconds_text(c.timeout_seconds) + " s: is a service for '" + c.command +
                 "' running on " + twin + " ('rmb serve --cmd " + c.command + "')? raise --timeout if it is slow";
      }
      break;
    case grpc::StatusCode::UNAVAILABLE:
      e.exit_code = kExitUnavailable;
      e.hint = "rmb-peer at " + c.peer + " has no relay link up (or went away): see 'rmb info --peer " + c.peer + "'";
      break;
    case grpc::StatusCode::INVALID_ARGUMENT:
      e.exit_code = kExitUsage;
      e.hint = "rmb-peer refused the request as given; see '--help'";
      break;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      e.exit_code = kExitUnavailable;
      e.hint = "rmb-peer has too many requests in flight; retry later or send fewer at once";
      break;
    case grpc::StatusCode::UNAUTHENTICATED:
      e.exit_code = kExitFailure;
      e.hint = "the answer failed verification: the directory may hold stale keys for " + twin;
      break;
    case grpc::StatusCode::ABORTED:
      e.exit_code = kExitFailure;
      if (relay) {
        e.hint = "a relay refused or could not route the request (is " + twin + " registered on a reachable relay?)";
      } else if (remote && e.rmb->message().starts_with("no service for command")) {
        e.hint = "nothing serves '" + c.command + "' on " + twin + ": start a service there ('rmb serve --cmd " +
                 c.command + "' to try)";
      } else if (remote) {
        e.hint = "the service on " + twin + " answered with this error";
      } else {
        e.hint = "see rmb-peer's log";
      }
      break;
    case grpc::StatusCode::UNIMPLEMENTED:
      e.exit_code = kExitFailure;
      e.hint = "the server at " + c.peer + " does not offer this RPC: is it rmb-peer, and of the same version?";
      break;
    default:
      e.exit_code = kExitFailure;
      e.hint = "see rmb-peer's log";
  }
}

}  // namespace

void add_peer_option(po::options_description& options) {
  options.add_options()("peer", po::value<std::string>()->value_name("ADDR"),
                        "rmb-peer's gRPC address: host:port or unix:/path (default $RMB_PEER, "
                        "else 127.0.0.1:7070)");
}

std::string peer_address(const po::variables_map& vm) {
  if (vm.count("peer")) return vm["peer"].as<std::string>();
  if (const char* env = std::getenv(kPeerEnv); env != nullptr && *env != '\0') return env;
  return kDefaultPeer;
}

std::shared_ptr<grpc::Channel> connect_peer(const std::string& address, std::chrono::milliseconds timeout) {
  grpc::ChannelArguments args;
  // Large replies are allowed by RMB (the relay caps a frame, not gRPC).
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  // Refused or absent sockets put the channel in TRANSIENT_FAILURE at once: say so then,
  // rather than retrying until the timeout.
  const auto deadline = std::chrono::system_clock::now() + timeout;
  bool connected = false;
  for (auto state = channel->GetState(true); !connected;) {
    if (state == GRPC_CHANNEL_READY) {
      connected = true;
    } else if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN ||
               !channel->WaitForStateChange(state, deadline)) {
      break;
    } else {
      state = channel->GetState(true);
    }
  }
  if (!connected) {
    throw CliError(kExitUnavailable, "cannot reach rmb-peer at " + address,
                   "is it running? start one with 'rmb-peer --help' or 'rmb devnet up', or point "
                   "--peer / $RMB_PEER at it");
  }
  return channel;
}

api::v1::Address parse_destination(const Invocation& inv, const std::string& text) {
  auto parsed = core::parse_address(text);
  if (!parsed.ok() || parsed->twin == 0) {
    throw usage_error(inv, "'" + text + "' is not a destination: give a twin id, or twin:session (e.g. 42 or 42:app)");
  }
  api::v1::Address out;
  out.set_twin(parsed->twin);
  if (parsed->connection) out.set_session(*parsed->connection);
  return out;
}

std::vector<api::v1::Address> parse_destinations(const Invocation& inv, const std::vector<std::string>& values) {
  std::vector<api::v1::Address> out;
  for (const auto& value : values) {
    for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
      out.push_back(parse_destination(inv, std::string(part)));
    }
  }
  if (out.empty()) throw usage_error(inv, "no destination: give --dst TWIN[,TWIN...]");
  return out;
}

std::string format_address(const api::v1::Address& address) {
  return std::to_string(address.twin()) + (address.session().empty() ? "" : ":" + address.session());
}

void add_data_options(po::options_description& options) {
  options.add_options()("data", po::value<std::string>()->value_name("TEXT"),
                        "request data (bytes as given); '-' reads standard input")(
      "data-file", po::value<std::string>()->value_name("F"), "read the request data from file F");
}

std::string request_data(const Invocation& inv, const po::variables_map& vm) {
  if (vm.count("data") && vm.count("data-file")) {
    throw usage_error(inv, "give either --data or --data-file, not both");
  }
  if (vm.count("data-file")) {
    const auto& path = vm["data-file"].as<std::string>();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw failure("cannot read --data-file " + path, "check the path and its permissions");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  if (!vm.count("data")) return "";
  const auto& data = vm["data"].as<std::string>();
  if (data != "-") return data;
  std::ostringstream all;
  all << std::cin.rdbuf();
  if (std::cin.bad()) throw failure("cannot read the request data from standard input");
  return all.str();
}

void add_timeout_option(po::options_description& options, double default_seconds) {
  options.add_options()("timeout", po::value<double>()->default_value(default_seconds)->value_name("SECS"),
                        "how long to wait for the answer (seconds, <= 1800)");
}

std::chrono::milliseconds timeout_option(const Invocation& inv, const po::variables_map& vm) {
  const double seconds = vm["timeout"].as<double>();
  if (!(seconds > 0) || seconds > 1800 || std::isnan(seconds)) {
    throw usage_error(inv, "--timeout must be more than 0 and at most 1800 seconds");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

RpcError describe(const grpc::Status& status, const CallContext& context) {
  RpcError e;
  e.grpc_code = status.error_code();
  e.grpc_name = grpc_code_name(status.error_code());
  e.message = status.error_message();
  if (!status.error_details().empty()) {
    api::v1::RmbError rmb;
    if (rmb.ParseFromString(status.error_details())) e.rmb = rmb;
  }
  fill_hint(e, context);
  return e;
}

RpcError describe(const api::v1::RmbError& error, const CallContext& context) {
  RpcError e;
  e.grpc_code = status_for_rmb_code(error);
  if (error.code() == core::rmb_error::kUnspecified && error.message().find("expired") != std::string::npos &&
      !error.has_source()) {
    e.grpc_code = grpc::StatusCode::DEADLINE_EXCEEDED;  // the gateway gave up waiting
  }
  e.grpc_name = grpc_code_name(e.grpc_code);
  e.message = error.message();
  e.rmb = error;
  fill_hint(e, context);
  return e;
}

std::string one_line(const RpcError& e) {
  std::string out;
  if (e.rmb) {
    out = "RMB error " + std::to_string(e.rmb->code());
    if (e.rmb->has_source()) {
      out += e.rmb->source().twin() == 0 ? " from a relay" : " from twin " + format_address(e.rmb->source());
    } else {
      out += " from rmb-peer";
    }
    out += ": " + (e.rmb->message().empty() ? e.message : e.rmb->message());
  } else {
    out = e.message.empty() ? "failed" : e.message;
  }
  return out + " [" + e.grpc_name + "]";
}

CliError to_cli_error(const RpcError& e) { return CliError(e.exit_code, one_line(e), e.hint); }

nlohmann::ordered_json data_json(const std::string& data) {
  nlohmann::ordered_json text = data;
  try {
    (void)text.dump();  // throws on invalid UTF-8
    return text;
  } catch (const nlohmann::json::type_error&) {
    std::string b64(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    b64.resize(b64.size() - 1);  // the terminating NUL
    return {{"base64", b64}};
  }
}

nlohmann::ordered_json error_json(const RpcError& e) {
  nlohmann::ordered_json out = {{"grpc_code", e.grpc_name}, {"message", e.message}};
  if (e.rmb) {
    out["rmb_code"] = e.rmb->code();
    out["rmb_message"] = e.rmb->message();
    out["source"] =
        e.rmb->has_source() ? nlohmann::ordered_json(format_address(e.rmb->source())) : nlohmann::ordered_json(nullptr);
  } else {
    out["rmb_code"] = nullptr;
  }
  out["exit_code"] = e.exit_code;
  out["hint"] = e.hint;
  return out;
}

std::string log_time() {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace rmb::tools
