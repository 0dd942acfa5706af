// `rmb send`: one request to many twins (fan-out under one uid); each destination's reply
// or error is printed as it arrives, then a one-line count on stderr.
#include <cmath>
#include <iostream>

#include "tools/peer_client.h"

namespace rmb::tools {
namespace {

using Clock = std::chrono::steady_clock;

int send(const Invocation& inv) {
  po::options_description options;
  add_peer_option(options);
  options.add_options()("dst", po::value<std::vector<std::string>>()->required()->composing()->value_name("TWINS"),
                        "destinations: TWIN[:SID] separated by commas, and/or repeat --dst")(
      "cmd", po::value<std::string>()->required()->value_name("CMD"), "remote command");
  add_data_options(options);
  options.add_options()("schema", po::value<std::string>()->value_name("S"), "schema of the data")(
      "tags", po::value<std::string>()->value_name("T"), "envelope tags");
  add_timeout_option(options, 30);
  options.add_options()("json", "print one JSON object per line (per destination)");
  auto vm = parse_options(
      inv,
      "Send one request to several twins and print each answer as it arrives:\n"
      "  <twin>: <reply data>     or     <twin>: error: <RMB error> [<gRPC code>]\n"
      "Exit codes: 0 every twin answered with data, 1 some answered with an error, 2 usage, "
      "3 rmb-peer unreachable / no relay link / some gave no answer in time.",
      "--dst TWIN[,TWIN...] --cmd CMD [--data TEXT | --data-file F | --data -] [--timeout SECS] [--json] [--peer ADDR]",
      options);
  if (!vm) return kExitOk;
  const std::string peer = peer_address(*vm);
  api::v1::SendRequest request;
  for (auto& d : parse_destinations(inv, (*vm)["dst"].as<std::vector<std::string>>())) {
    *request.add_destinations() = std::move(d);
  }
  request.set_command((*vm)["cmd"].as<std::string>());
  if (request.command().empty()) throw usage_error(inv, "--cmd must not be empty");
  request.set_data(request_data(inv, *vm));
  if (vm->count("schema")) request.set_schema((*vm)["schema"].as<std::string>());
  if (vm->count("tags")) request.set_tags((*vm)["tags"].as<std::string>());
  const auto timeout = timeout_option(inv, *vm);
  request.set_ttl_seconds(static_cast<uint32_t>((timeout.count() + 999) / 1000));
  const bool json = vm->count("json") > 0;
  CallContext context{peer, request.command(), "", (*vm)["timeout"].as<double>()};

  auto stub = api::v1::Gateway::NewStub(connect_peer(peer));
  grpc::ClientContext ctx;
  // A little beyond the request's own lifetime, so rmb-peer's per-destination deadline
  // errors arrive before the stream's deadline cuts them off.
  ctx.set_deadline(std::chrono::system_clock::now() + timeout + std::chrono::seconds(2));
  const auto start = Clock::now();
  auto stream = stub->Send(&ctx, request);
  size_t replies = 0, errors = 0;
  int exit_code = kExitOk;
  api::v1::SendResponse response;
  while (stream->Read(&response)) {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    const std::string dst = format_address(response.destination());
    if (response.has_reply()) {
      ++replies;
      const auto& reply = response.reply();
      if (json) {
        print_out(nlohmann::ordered_json({{"destination", dst},
                                          {"uid", response.uid()},
                                          {"latency_ms", std::round(ms * 1000) / 1000},
                                          {"reply",
                                           {{"source", format_address(reply.source())},
                                            {"data", data_json(reply.data())},
                                            {"schema", reply.has_schema() ? nlohmann::ordered_json(reply.schema())
                                                                          : nlohmann::ordered_json(nullptr)},
                                            {"timestamp", reply.timestamp()}}}})
                      .dump() +
                  "\n");
      } else {
        std::string data = reply.data();
        while (!data.empty() && data.back() == '\n') data.pop_back();
        print_out(dst + ": " + data + "\n");
      }
    } else {
      ++errors;
      CallContext one = context;
      one.destination = dst;
      const RpcError e = describe(response.error(), one);
      exit_code = std::max(exit_code, e.exit_code == kExitUsage ? kExitFailure : e.exit_code);
      if (json) {
        print_out(nlohmann::ordered_json({{"destination", dst},
                                          {"uid", response.uid()},
                                          {"latency_ms", std::round(ms * 1000) / 1000},
                                          {"error", error_json(e)}})
                      .dump() +
                  "\n");
      } else {
        print_out(dst + ": error: " + one_line(e) + "\n");
      }
    }
  }
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    const RpcError e = describe(status, context);
    if (json) print_out(nlohmann::ordered_json({{"error", error_json(e)}}).dump() + "\n");
    throw to_cli_error(e);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const size_t missing = static_cast<size_t>(request.destinations_size()) -
                         std::min<size_t>(static_cast<size_t>(request.destinations_size()), replies + errors);
  std::cerr << request.destinations_size() << " destinations: " << replies << " replies, " << errors << " errors"
            << (missing ? ", " + std::to_string(missing) + " without an answer" : "") << " in "
            << std::round(secs * 1000) << " ms\n";
  if (missing > 0) exit_code = std::max(exit_code, kExitUnavailable);
  return exit_code;
}

const RegisterCommand kRegister({"send", "send one request to several twins, answers as they arrive", send});

}  // namespace
}  // namespace rmb::tools
