// Process-level behaviour: --help, SIGTERM, session age, idle timeout.
#include <stdio.h>

#include <chrono>
#include <thread>

#include "tests/relay/relay_fixture.h"

namespace rmb::relay {
namespace {

using RelayLifecycle = RelayTest;

TEST_F(RelayLifecycle, HelpListsEveryFlag) {
  FILE* out = ::popen((test::relay_binary() + " --help").c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, out)) > 0) text.append(buf, n);
  EXPECT_EQ(::pclose(out), 0);
  for (const char* flag : {"--listen",          "--tls-cert",       "--tls-key",      "--directory",
                           "--domain",          "--redis",          "--threads",      "--max-sessions",
                           "--max-session-age", "--idle-timeout",   "--mailbox-size", "--mailbox-ttl",
                           "--limit",           "--max-frame-size", "--send-queue",   "--back-pressure-timeout",
                           "--debug",           "[::]:8080",        "(=16777216)",    "(=10000)"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
}

TEST_F(RelayLifecycle, BadFlagsExitNonZero) {
  auto child = test::ChildProcess::spawn({test::relay_binary(), "--limit", "5"});
  ASSERT_TRUE(child.ok());
  auto code = (*child)->stop(0, std::chrono::seconds(10));  // signal 0: just wait
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
}

TEST_F(RelayLifecycle, SigtermClosesSessionsAndExitsZero) {
  start_relay();
  auto a = connect(1);
  auto b = connect(2);
  ASSERT_TRUE(a && b);
  expect_round_trip(*a, *b);
  auto code = relay_->terminate();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  auto reason = a->wait_closed();
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(*reason, "relay shutting down");
  EXPECT_EQ(a->close_code(), 1001);  // going away
}

TEST_F(RelayLifecycle, SessionAgeClosesWithReason) {
  start_relay({"--max-session-age", "1"});
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto reason = a->wait_closed(std::chrono::seconds(10));
  ASSERT_TRUE(reason.ok()) << reason.status();
  EXPECT_EQ(*reason, "session too old, reconnect with a fresh token");
}

TEST_F(RelayLifecycle, IdleSessionsAreClosed) {
  start_relay({"--idle-timeout", "1"});
  auto a = connect(1);
  ASSERT_TRUE(a);
  auto reason = a->wait_closed(std::chrono::seconds(10));
  EXPECT_TRUE(reason.ok()) << reason.status();
  // The client can see the connection end before the relay's read handler counts it.
  EXPECT_EQ(wait_for_metric("relay_session_evictions_total{reason=\"idle_timeout\"}", [](double n) { return n >= 1; }),
            1);
}

}  // namespace
}  // namespace rmb::relay
