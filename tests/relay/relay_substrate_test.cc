// rmb-relay with --substrate: twins (JWT accounts and relay domains) come from a fake
// tfchain node instead of a directory file, and envelopes route between them.
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "core/directory/substrate/scale.h"
#include "tests/support/fake_node.h"
#include "tests/support/process.h"
#include "tests/support/twins.h"
#include "tests/support/ws_client.h"

namespace rmb::test {
namespace {

TEST(RelaySubstrate, TwinsFromTheChainAuthenticateAndRoute) {
  FakeNode node;
  auto twins = make_twins(3);
  node.put_twin(chain_twin(twins[0], "relay.test"));
  node.put_twin(chain_twin(twins[1], "relay.test"));
  // twins[2] is not on chain.
  auto relay = RelayProcess::start({"--substrate", node.url(), "--domain", "relay.test"});
  ASSERT_TRUE(relay.ok()) << relay.status();

  auto a = WsClient::connect((*relay)->port(), twins[0]);
  auto b = WsClient::connect((*relay)->port(), twins[1]);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  auto sent = (*a)->send((*a)->request_to(twins[1].id, std::nullopt, "chain.hello", "hi"));
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto got = (*b)->receive();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->plain(), "hi");
  EXPECT_EQ(got->source().twin(), twins[0].id);
  EXPECT_GT(node.count("state_getStorage"), 0u);

  // A twin the chain does not know is refused at the upgrade (§4.3).
  auto refusal = WsClient::connect((*relay)->port(), twins[2]);
  EXPECT_FALSE(refusal.ok());
  // And as a destination it gets the unknown-twin error back.
  auto to_unknown = (*a)->request_to(twins[2].id, std::nullopt, "chain.hello", "hi");
  ASSERT_TRUE((*a)->send(to_unknown).ok());
  auto error = (*a)->receive();
  ASSERT_TRUE(error.ok()) << error.status();
  ASSERT_TRUE(error->has_error());
  EXPECT_EQ(error->uid(), to_unknown.uid());
}

TEST(RelaySubstrate, FlagIsInHelpAndBadUrlIsAnError) {
  std::string help;
  FILE* pipe = ::popen((relay_binary() + " --help").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) help.append(buf, n);
  EXPECT_EQ(::pclose(pipe), 0);
  EXPECT_NE(help.find("--substrate ] URL"), std::string::npos) << help;  // -s [ --substrate ] URL
  auto bad = ChildProcess::spawn({relay_binary(), "--substrate", "not-a-url", "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(bad.ok());
  std::optional<int> code;
  for (int i = 0; i < 400 && !code; ++i) {  // up to 20 s: a loaded machine starts processes slowly
    code = (*bad)->exit_code();
    if (!code) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(code.has_value()) << "rmb-relay kept running with a bad --substrate URL";
  EXPECT_EQ(*code, 2);
}

}  // namespace
}  // namespace rmb::test
