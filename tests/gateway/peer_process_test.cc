// rmb-peer as a process: its exit codes for bad flags and unknown twins, and calls that survive the loss or restart of
// a relay.
#include "tests/gateway/peer_fixture.h"

namespace rmb::test {
namespace {

TEST(PeerFlagsProcess, BadFlagsExitTwoWithAMessage) {
  auto r = run_peer({"--bogus-flag"});
  EXPECT_EQ(r.exit_code, std::optional<int>(2));
  EXPECT_NE(r.output.find("bogus-flag"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--help"), std::string::npos) << r.output;

  auto bad_listen = run_peer(
      {"-m", "//Alice", "--relay", "ws://127.0.0.1:1", "--directory", "/nonexistent", "--grpc-listen", "nowhere"});
  EXPECT_EQ(bad_listen.exit_code, std::optional<int>(2));
  EXPECT_NE(bad_listen.output.find("--grpc-listen"), std::string::npos) << bad_listen.output;

  auto help = run_peer({"--help"});
  EXPECT_EQ(help.exit_code, std::optional<int>(0));
}

TEST(PeerFlagsProcess, UnknownTwinExitsOne) {
  auto twins = make_twins(2, 1);
  const std::string dir = make_temp_dir("rmb-peer-flags");
  ASSERT_TRUE(write_directory(dir + "/twins.json", {}, {entry(twins[0])}).ok());
  auto r = run_peer(peer_args(twins[1], {1}, dir + "/twins.json"));
  EXPECT_EQ(r.exit_code, std::optional<int>(1));
  EXPECT_NE(r.output.find("no twin found on this network with given key"), std::string::npos) << r.output;

  auto missing = run_peer(peer_args(twins[0], {1}, dir + "/missing.json"));
  EXPECT_EQ(missing.exit_code, std::optional<int>(1));
  EXPECT_NE(missing.output.find("missing.json"), std::string::npos) << missing.output;
}

// Two relays; every twin lists both and its peer connects to both.
TEST(PeerFailover, CallsSurviveTheLossOfOneRelay) {
  auto twins = make_twins(2, 1, {"relay1.test", "relay2.test"});
  const std::string dir = make_temp_dir("rmb-peer-failover");
  const std::string directory = dir + "/twins.json";
  ASSERT_TRUE(write_directory(directory, {}, {entry(twins[0]), entry(twins[1])}).ok());
  auto r1 = RelayProcess::start({"--directory", directory, "--domain", "relay1.test"});
  auto r2 = RelayProcess::start({"--directory", directory, "--domain", "relay2.test"});
  ASSERT_TRUE(r1.ok() && r2.ok());
  const std::vector<uint16_t> ports = {(*r1)->port(), (*r2)->port()};
  auto a = PeerProcess::start(peer_args(twins[0], ports, directory));
  auto b = PeerProcess::start(peer_args(twins[1], ports, directory));
  ASSERT_TRUE(a.ok() && b.ok());
  auto stub = peer_stub((*a)->grpc_address());
  ASSERT_TRUE(wait_links(*stub, 2));
  ASSERT_TRUE(wait_links(*peer_stub((*b)->grpc_address()), 2));
  auto service = ServeClient::start((*b)->grpc_address(), {"test.echo"}, echo_handler("ok "));
  ASSERT_TRUE(service);

  auto links_up = [](apiv1::Gateway::Stub& stub) {
    grpc::ClientContext context;
    apiv1::InfoResponse info;
    size_t up = 0;
    if (stub.Info(&context, apiv1::InfoRequest(), &info).ok()) {
      for (const auto& r : info.relays()) up += r.state() == apiv1::RelayLink::CONNECTED ? 1 : 0;
    }
    return up;
  };
  auto stub_b = peer_stub((*b)->grpc_address());
  int succeeded = 0;
  for (int i = 0; i < 20; ++i) {
    if (i == 5) {
      (*r1)->process().stop(SIGKILL);
      // A frame written into the dying socket is lost (RMB has no retransmission); what
      // must hold is that once the links notice, everything goes through the other relay.
      const auto deadline = std::chrono::steady_clock::now() + 30s;
      while ((links_up(*stub) != 1 || links_up(*stub_b) != 1) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
      }
      EXPECT_EQ(links_up(*stub), 1u);
    }
    auto r = call_twin(*stub, twins[1].id, "test.echo", std::to_string(i), 30s);
    EXPECT_TRUE(r.status.ok()) << "call " << i << ": " << r.status.error_code() << " " << r.status.error_message();
    if (r.status.ok()) {
      EXPECT_EQ(r.reply.data(), "ok " + std::to_string(i));
      ++succeeded;
    }
  }
  EXPECT_EQ(succeeded, 20);
}

TEST(PeerRelayRestart, LinksComeBack) {
  auto twins = make_twins(2, 1, {"relay1.test"});
  const std::string dir = make_temp_dir("rmb-peer-restart");
  const std::string directory = dir + "/twins.json";
  ASSERT_TRUE(write_directory(directory, {}, {entry(twins[0]), entry(twins[1])}).ok());
  auto relay = RelayProcess::start({"--directory", directory, "--domain", "relay1.test"});
  ASSERT_TRUE(relay.ok()) << relay.status();
  const uint16_t port = (*relay)->port();  // the restart below binds it again
  auto a = PeerProcess::start(peer_args(twins[0], {port}, directory));
  auto b = PeerProcess::start(peer_args(twins[1], {port}, directory));
  ASSERT_TRUE(a.ok() && b.ok());
  auto stub_a = peer_stub((*a)->grpc_address());
  auto stub_b = peer_stub((*b)->grpc_address());
  ASSERT_TRUE(wait_links(*stub_a, 1));
  auto service = ServeClient::start((*b)->grpc_address(), {"test.echo"}, echo_handler("again "));
  ASSERT_TRUE(service);
  ASSERT_TRUE(call_twin(*stub_a, twins[1].id, "test.echo", "1").status.ok());

  (*relay)->terminate();
  relay->reset();
  // The link notices: Info stops reporting it connected.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  bool down = false;
  while (!down && std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext context;
    apiv1::InfoResponse info;
    if (stub_a->Info(&context, apiv1::InfoRequest(), &info).ok() && info.relays_size() == 1) {
      down = info.relays(0).state() != apiv1::RelayLink::CONNECTED;
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(down);

  auto again = RelayProcess::start_on(port, {"--directory", directory, "--domain", "relay1.test"});
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(wait_links(*stub_a, 1, 60s));
  ASSERT_TRUE(wait_links(*stub_b, 1, 60s));
  auto r = call_twin(*stub_a, twins[1].id, "test.echo", "2", 30s);
  ASSERT_TRUE(r.status.ok()) << r.status.error_code() << " " << r.status.error_message();
  EXPECT_EQ(r.reply.data(), "again 2");
  grpc::ClientContext context;
  apiv1::InfoResponse info;
  ASSERT_TRUE(stub_a->Info(&context, apiv1::InfoRequest(), &info).ok());
  EXPECT_GE(info.relays(0).reconnects(), 1u);
}

}  // namespace
}  // namespace rmb::test
