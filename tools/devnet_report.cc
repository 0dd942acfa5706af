#include "tools/devnet_report.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "tools/peer_client.h"

namespace rmb::tools::devnet {
namespace {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

CheckResult check_call(const State& s) {
  const PeerInfo& from = s.peers.size() > 1 ? s.peers[1] : s.peers[0];
  const std::string data = "hello from twin " + std::to_string(from.twin);
  api::v1::CallRequest request;
  request.mutable_destination()->set_twin(s.peers[0].twin);
  request.set_command(kEchoCommand);
  request.set_data(data);
  request.set_ttl_seconds(20);
  auto stub = api::v1::Gateway::NewStub(connect_peer(from.grpc));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    api::v1::Reply reply;
    const auto t0 = std::chrono::steady_clock::now();
    const grpc::Status status = stub->Call(&ctx, request, &reply);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (status.ok() && reply.data() == data) {
      char line[512];
      std::snprintf(line, sizeof line, "twin %u (rmb-peer %s) -> relay -> twin %u '%s' -> reply \"%s\" in %.1f ms",
                    from.twin, from.grpc.c_str(), s.peers[0].twin, kEchoCommand, reply.data().c_str(), ms);
      return {line, true};
    }
    const RpcError e = status.ok() ? RpcError{grpc::StatusCode::DATA_LOSS,
                                              "DATA_LOSS",
                                              "the echo came back different: '" + reply.data() + "'",
                                              {},
                                              1,
                                              ""}
                                   : describe(status, {from.grpc, kEchoCommand, std::to_string(s.peers[0].twin), 10});
    // Links may still be coming up right after start.
    const bool transient =
        e.grpc_code == grpc::StatusCode::UNAVAILABLE || e.grpc_code == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!transient || std::chrono::steady_clock::now() > give_up) {
      return {"twin " + std::to_string(from.twin) + " -> twin " + std::to_string(s.peers[0].twin) + " '" +
                  kEchoCommand + "' FAILED: " + one_line(e) + " (" + e.hint + ")",
              false};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

std::string describe_network(const State& s) {
  std::string out;
  out += "  relay      " + s.relay_url + "    metrics http://127.0.0.1:" + std::to_string(s.relay_port) + "/metrics\n";
  for (const auto& p : s.peers) {
    out += "  twin " + std::to_string(p.twin) + std::string(p.twin < 10 ? 5 : 4, ' ') + "rmb-peer grpc " + p.grpc;
    if (!p.metrics.empty()) out += "  metrics http://" + p.metrics + "/metrics";
    if (!p.redis.empty()) out += "  redis " + p.redis;
    if (p.twin == s.peers[0].twin) out += "  + '" + std::string(kEchoCommand) + "' service";
    out += "\n";
  }
  if (!s.redis_url.empty())
    out += "  redis      " + s.redis_url + " (db 0: relay mailboxes; db N: twin N's Redis front door)\n";
  out += "  directory  " + (fs::path(s.dir) / "twins.json").string() + " (mnemonics in " +
         (fs::path(s.dir) / "twin<N>.mnemonic").string() + ")\n";
  out += "  logs       " + (fs::path(s.dir) / "logs").string() + "/\n";
  return out;
}

std::string next_commands(const State& s, const std::string& rmb, bool detached) {
  const PeerInfo& one = s.peers[0];
  const PeerInfo& two = s.peers.size() > 1 ? s.peers[1] : s.peers[0];
  const std::string r = shell_quote(rmb);
  std::string out = "Next:\n";
  out += "  " + r + " call --peer " + two.grpc + " --dst " + std::to_string(one.twin) +
         " --cmd echo --data '{\"hello\":\"rmb\"}'\n";
  out += "  " + r + " ping --peer " + two.grpc + " --dst " + std::to_string(one.twin) + " --count 3\n";
  std::string all;
  for (const auto& p : s.peers) all += (all.empty() ? "" : ",") + std::to_string(p.twin);
  out += "  " + r + " send --peer " + two.grpc + " --dst " + all + " --cmd rmb.version\n";
  out += "  " + r + " serve --peer " + two.grpc + " --cmd calc.add --reply 42 &   # then:\n";
  out += "  " + r + " call --peer " + one.grpc + " --dst " + std::to_string(two.twin) +
         " --cmd calc.add --data '{\"a\":1}'\n";
  out += "  " + r + " call --peer " + two.grpc + " --dst " + std::to_string(one.twin) +
         " --cmd echo --data hi --repeat 2000 --concurrency 8\n";
  out += "  " + r + " info --peer " + one.grpc + "\n";
  if (!s.redis_url.empty() && !two.redis.empty()) {
    const auto port = s.redis_url.substr(s.redis_url.rfind(':') + 1);
    out += "  redis-cli -p " + port + " -n " + std::to_string(two.twin) +
           " LPUSH msgbus.system.local "
           "'{\"ver\":1,\"ref\":\"r1\",\"cmd\":\"echo\",\"exp\":60,\"dat\":\"aGk=\",\"tag\":null,\"dst\":[" +
           std::to_string(one.twin) + "],\"ret\":\"my.replies\",\"shm\":null,\"now\":0}'\n";
    out += "  redis-cli -p " + port + " -n " + std::to_string(two.twin) + " BRPOP my.replies 10\n";
  }
  out += "  " + r + " devnet status --dir " + shell_quote(s.dir) + "\n";
  if (detached) out += "  " + r + " devnet down --dir " + shell_quote(s.dir) + "\n";
  return out;
}

}  // namespace rmb::tools::devnet
