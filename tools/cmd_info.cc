// `rmb info`: who the rmb-peer at --peer is (twin, keys, version) and how its relay links are.
#include <ctime>

#include "core/util/bytes.h"
#include "tools/peer_client.h"

namespace rmb::tools {
namespace {

std::string state_name(api::v1::RelayLink::State state) {
  switch (state) {
    case api::v1::RelayLink::CONNECTING:
      return "connecting";
    case api::v1::RelayLink::CONNECTED:
      return "connected";
    case api::v1::RelayLink::BACKOFF:
      return "backoff";
    default:
      return "unknown";
  }
}

std::string since(uint64_t unix_seconds) {
  if (unix_seconds == 0) return "";
  const auto now = static_cast<uint64_t>(std::time(nullptr));
  const uint64_t secs = now > unix_seconds ? now - unix_seconds : 0;
  if (secs < 120) return std::to_string(secs) + " s";
  if (secs < 7200) return std::to_string(secs / 60) + " min";
  return std::to_string(secs / 3600) + " h";
}

int info(const Invocation& inv) {
  po::options_description options;
  add_peer_option(options);
  add_timeout_option(options, 10);
  options.add_options()("json", "print the answer as JSON");
  auto vm = parse_options(inv, "Show the twin, keys and version of an rmb-peer and the state of its relay links.",
                          "[--peer ADDR] [--json]", options);
  if (!vm) return kExitOk;
  const std::string peer = peer_address(*vm);
  const auto timeout = timeout_option(inv, *vm);
  auto stub = api::v1::Gateway::NewStub(connect_peer(peer, timeout));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  api::v1::InfoResponse r;
  if (auto status = stub->Info(&ctx, api::v1::InfoRequest(), &r); !status.ok()) {
    throw to_cli_error(describe(status, {peer, "", "", (*vm)["timeout"].as<double>()}));
  }
  const std::string pk = core::to_hex(core::Bytes(r.e2e_public_key().begin(), r.e2e_public_key().end()));
  if (vm->count("json")) {
    nlohmann::ordered_json relays = nlohmann::ordered_json::array();
    for (const auto& l : r.relays()) {
      relays.push_back({{"url", l.url()},
                        {"state", state_name(l.state())},
                        {"connected_since", l.connected_since()},
                        {"reconnects", l.reconnects()},
                        {"last_error", l.last_error()}});
    }
    print_out(nlohmann::ordered_json({{"peer", peer},
                                      {"twin", r.twin()},
                                      {"key_type", r.key_type()},
                                      {"account_hex", r.account_hex()},
                                      {"account_ss58", r.account_ss58()},
                                      {"e2e_public_key", pk},
                                      {"version", r.version()},
                                      {"relays", relays}})
                  .dump(2) +
              "\n");
    return kExitOk;
  }
  std::string out = "peer      " + peer + "\n" + "twin      " + std::to_string(r.twin()) + "\n" + "key type  " +
                    r.key_type() + "\n" + "account   " + r.account_ss58() + " (" + r.account_hex() + ")\n" +
                    "e2e pk    " + pk + "\n" + "version   " + r.version() + "\n";
  for (const auto& l : r.relays()) {
    out += "relay     " + l.url() + "  " + state_name(l.state());
    if (l.state() == api::v1::RelayLink::CONNECTED) out += " for " + since(l.connected_since());
    out += ", " + std::to_string(l.reconnects()) + " reconnects";
    if (!l.last_error().empty()) out += ", last error: " + l.last_error();
    out += "\n";
  }
  if (r.relays_size() == 0) out += "relay     (none)\n";
  print_out(out);
  return kExitOk;
}

const RegisterCommand kRegister({"info", "show an rmb-peer's twin, keys, version and relay links", info});

}  // namespace
}  // namespace rmb::tools
