// `rmb health`: gRPC health check of rmb-peer (grpc.health.v1.Health/Check), for container
// HEALTHCHECKs and scripts: exit 0 when SERVING.
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/peer_client.h"

namespace rmb::tools {
namespace {

int health(const Invocation& inv) {
  po::options_description options;
  add_peer_option(options);
  options.add_options()("service", po::value<std::string>()->default_value("")->value_name("NAME"),
                        "service to ask about (empty: the server as a whole)");
  add_timeout_option(options, 3);
  auto vm = parse_options(inv,
                          "Ask rmb-peer's gRPC health service whether it is serving. Prints SERVING "
                          "and exits 0, or exits 1 (not serving) / 3 (unreachable).",
                          "[--peer ADDR] [--service NAME] [--timeout SECS]", options);
  if (!vm) return kExitOk;
  const std::string peer = peer_address(*vm);
  const auto timeout = timeout_option(inv, *vm);
  auto stub = grpc::health::v1::Health::NewStub(connect_peer(peer, timeout));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service((*vm)["service"].as<std::string>());
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&ctx, request, &response);
  if (!status.ok()) {
    RpcError e = describe(status, {peer, "", "", (*vm)["timeout"].as<double>()});
    if (e.grpc_code == grpc::StatusCode::UNIMPLEMENTED) {
      e.hint = "the server at " + peer + " has no gRPC health service";
    } else if (e.grpc_code == grpc::StatusCode::NOT_FOUND) {
      e.hint = "no health status for service '" + request.service() + "'";
    }
    throw to_cli_error(e);
  }
  const std::string name = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  print_out(name + "\n");
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk : kExitFailure;
}

const RegisterCommand kRegister({"health", "gRPC health check of rmb-peer (for container health checks)", health});

}  // namespace
}  // namespace rmb::tools
