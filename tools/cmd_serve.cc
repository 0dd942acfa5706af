// `rmb serve`: a demo service behind rmb-peer. It registers commands on the Serve stream
// and answers every request with its own data (echo), a fixed --reply, or an RMB --error,
// logging one line per request on stderr. Runs until Ctrl-C.
#include <charconv>
#include <iostream>

#include "tools/peer_client.h"
#include "tools/signal_waiter.h"

namespace rmb::tools {
namespace {

struct Behaviour {
  std::optional<std::string> reply;
  std::optional<api::v1::RmbError> error;
  bool quiet = false;
};

api::v1::RmbError parse_error_option(const Invocation& inv, const std::string& text) {
  const auto colon = text.find(':');
  const std::string code_text = text.substr(0, colon);
  uint32_t code = 0;
  const auto [end, ec] = std::from_chars(code_text.data(), code_text.data() + code_text.size(), code);
  if (colon == std::string::npos || ec != std::errc() || end != code_text.data() + code_text.size()) {
    throw usage_error(inv, "--error takes CODE:MESSAGE, e.g. '500:not today', got '" + text + "'");
  }
  api::v1::RmbError error;
  error.set_code(code);
  error.set_message(text.substr(colon + 1));
  return error;
}

int serve(const Invocation& inv) {
  po::options_description options;
  add_peer_option(options);
  options.add_options()("cmd", po::value<std::vector<std::string>>()->required()->composing()->value_name("CMD"),
                        "command to serve; repeat for several")("reply", po::value<std::string>()->value_name("TEXT"),
                                                                "answer TEXT instead of echoing the data")(
      "error", po::value<std::string>()->value_name("CODE:MESSAGE"),
      "answer every request with this RMB error instead")(
      "max-in-flight", po::value<uint32_t>()->default_value(0)->value_name("N"),
      "requests held unanswered at once (0: rmb-peer's default)")("quiet,q", "no log line per request");
  auto vm = parse_options(inv,
                          "Serve commands on this twin through rmb-peer: a demo service that echoes each request's "
                          "data back (or answers --reply TEXT, or --error CODE:MESSAGE), logging each request on "
                          "stderr. Runs until Ctrl-C.",
                          "--cmd CMD [--cmd CMD]... [--reply TEXT | --error CODE:MESSAGE] [--peer ADDR]", options);
  if (!vm) return kExitOk;
  Behaviour behaviour;
  if (vm->count("reply") && vm->count("error")) throw usage_error(inv, "give --reply or --error, not both");
  if (vm->count("reply")) behaviour.reply = (*vm)["reply"].as<std::string>();
  if (vm->count("error")) behaviour.error = parse_error_option(inv, (*vm)["error"].as<std::string>());
  behaviour.quiet = vm->count("quiet") > 0;
  const auto commands = (*vm)["cmd"].as<std::vector<std::string>>();
  for (const auto& c : commands) {
    if (c.empty()) throw usage_error(inv, "--cmd must not be empty");
  }
  const std::string peer = peer_address(*vm);

  SignalWaiter signals;  // before gRPC starts its threads
  auto stub = api::v1::Gateway::NewStub(connect_peer(peer));
  api::v1::InfoResponse info;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (auto status = stub->Info(&ctx, api::v1::InfoRequest(), &info); !status.ok()) {
      throw to_cli_error(describe(status, {peer, "", "", 10}));
    }
  }

  grpc::ClientContext ctx;
  signals.on_signal([&ctx](int) { ctx.TryCancel(); });
  auto stream = stub->Serve(&ctx);
  api::v1::ServeRequest first;
  for (const auto& c : commands) first.mutable_register_()->add_commands(c);
  first.mutable_register_()->set_max_in_flight((*vm)["max-in-flight"].as<uint32_t>());
  stream->Write(first);

  std::string names;
  for (const auto& c : commands) names += (names.empty() ? "" : ", ") + c;
  size_t served = 0;
  api::v1::ServeResponse message;
  while (stream->Read(&message)) {
    if (message.has_registered()) {
      std::cerr << log_time() << " rmb serve: serving " << names << " for twin " << info.twin() << " on rmb-peer "
                << peer << " (Ctrl-C stops)" << std::endl;
      continue;
    }
    if (!message.has_request()) continue;
    const auto& request = message.request();
    api::v1::ServeRequest answer;
    auto* reply = answer.mutable_reply();
    reply->set_request_id(request.request_id());
    std::string outcome;
    if (behaviour.error) {
      *reply->mutable_error() = *behaviour.error;
      outcome = "error " + std::to_string(behaviour.error->code());
    } else {
      reply->set_data(behaviour.reply ? *behaviour.reply : request.data());
      if (!behaviour.reply && request.has_schema()) reply->set_schema(request.schema());
      outcome = std::to_string(reply->data().size()) + " bytes";
    }
    if (!stream->Write(answer)) break;
    ++served;
    if (!behaviour.quiet) {
      std::cerr << log_time() << " " << request.command() << " from " << format_address(request.source()) << " uid "
                << request.uid() << ": " << request.data().size() << " bytes -> " << outcome << std::endl;
    }
  }
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  if (signals.signalled()) {
    std::cerr << log_time() << " rmb serve: stopped after " << served << " requests" << std::endl;
    return kExitOk;
  }
  if (status.ok()) {
    throw CliError(kExitUnavailable, "rmb-peer closed the Serve stream", "was it stopped? see its log");
  }
  RpcError e = describe(status, {peer, names, "", 0});
  if (e.grpc_code == grpc::StatusCode::UNAVAILABLE) e.hint = "rmb-peer at " + peer + " went away";
  throw to_cli_error(e);
}

const RegisterCommand kRegister({"serve", "serve commands (demo echo service) through rmb-peer", serve});

}  // namespace
}  // namespace rmb::tools
