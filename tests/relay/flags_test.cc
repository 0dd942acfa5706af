// rmb-relay's flags against rmb-rs's (src/bins/rmb-relay.rs, PROTOCOL.md §7.2): every rmb-rs
// flag, long and short, with its default, parses unchanged (issue 12).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "relay/config.h"

namespace rmb::relay {
namespace {

struct Parsed {
  std::optional<Config> config;
  std::string error;
  bool version = false;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "rmb-relay");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  Parsed out;
  auto result = parse_flags_or_help(static_cast<int>(argv.size()), argv.data(), &out.error);
  if (auto* c = std::get_if<Config>(&result)) out.config = std::move(*c);
  if (auto* h = std::get_if<HelpText>(&result)) out.version = h->version;
  return out;
}

TEST(RelayFlags, DefaultsAreRmbRs) {
  auto p = parse({});
  ASSERT_TRUE(p.config) << p.error;
  const Config& c = *p.config;
  EXPECT_EQ(c.listen, "[::]:8080");              // -l
  EXPECT_EQ(c.redis, "redis://localhost:6379");  // -r
  EXPECT_TRUE(c.redis_defaulted);
  EXPECT_EQ(c.substrate, std::vector<std::string>{"wss://tfchain.grid.tf:443"});  // -s
  EXPECT_TRUE(c.substrate_defaulted);
  EXPECT_EQ(c.max_sessions, 500u * 1000u);  // -w 500 * -u 1000
  EXPECT_TRUE(c.domains.empty());           // -m
  EXPECT_FALSE(c.limit.has_value());        // --limit
  EXPECT_EQ(c.ranker_period, 3600u);        // -p
  EXPECT_EQ(c.catchup_threshold, 600u);     // --catchup-threshold
  EXPECT_FALSE(c.debug);                    // -d
  EXPECT_EQ(c.verbosity, 0u);
  // rmb-rs checks a token at connect only and never looks at iat.
  EXPECT_EQ(c.max_session_age.count(), 0);
  EXPECT_FALSE(c.session_age_from_token);
  EXPECT_EQ(c.max_iat_ahead, 0u);
  // Sized for a real relay (issue 12), not rmb-peer's 500.
  EXPECT_EQ(c.twin_cache, 100000u);
  EXPECT_EQ(c.twin_cache_ttl.count(), 300);
}

TEST(RelayFlags, ChartCommandLine) {
  auto p = parse({"--domain", "relay.dev.grid.tf", "-r", "redis://:secret@rmb-redis-master:6379", "-s",
                  "wss://tfchain.dev.grid.tf:443", "-u", "1000", "-w", "500", "-l", "0.0.0.0:80"});
  ASSERT_TRUE(p.config) << p.error;
  EXPECT_EQ(p.config->domains, std::set<std::string>{"relay.dev.grid.tf"});
  EXPECT_EQ(p.config->redis, "redis://:secret@rmb-redis-master:6379");
  EXPECT_FALSE(p.config->redis_defaulted);
  EXPECT_EQ(p.config->substrate, std::vector<std::string>{"wss://tfchain.dev.grid.tf:443"});
  EXPECT_FALSE(p.config->substrate_defaulted);
  EXPECT_EQ(p.config->max_sessions, 500000u);
  EXPECT_EQ(p.config->listen, "0.0.0.0:80");
}

TEST(RelayFlags, ShortAndLongSpellings) {
  auto p = parse({"-m",
                  "a.example",
                  "b.example",
                  "--domain",
                  "c.example",
                  "--redis",
                  "redis://h:1",
                  "--substrate",
                  "wss://one:443",
                  "wss://two:443",
                  "-s",
                  "ws://three:9944",
                  "--listen",
                  "127.0.0.1:1",
                  "-p",
                  "60",
                  "--limit",
                  "10",
                  "2048",
                  "--catchup-threshold",
                  "5",
                  "--workers",
                  "2",
                  "--user-per-worker",
                  "3"});
  ASSERT_TRUE(p.config) << p.error;
  const Config& c = *p.config;
  EXPECT_EQ(c.domains, (std::set<std::string>{"a.example", "b.example", "c.example"}));
  EXPECT_EQ(c.substrate, (std::vector<std::string>{"wss://one:443", "wss://two:443", "ws://three:9944"}));
  EXPECT_EQ(c.ranker_period, 60u);
  EXPECT_EQ(parse({"--ranker-period", "70"}).config->ranker_period, 70u);
  ASSERT_TRUE(c.limit.has_value());
  EXPECT_EQ(c.limit->count, 10u);
  EXPECT_EQ(c.limit->size, 2048u);
  EXPECT_EQ(c.catchup_threshold, 5u);
  EXPECT_EQ(c.max_sessions, 6u);
}

TEST(RelayFlags, WorkersAndUsersPerWorkerAreIndependent) {
  auto w = parse({"-w", "10"});
  ASSERT_TRUE(w.config) << w.error;
  EXPECT_EQ(w.config->max_sessions, 10u * 1000u);
  auto u = parse({"-u", "7"});
  ASSERT_TRUE(u.config) << u.error;
  EXPECT_EQ(u.config->max_sessions, 500u * 7u);
  // Our own --max-sessions wins over the product.
  auto m = parse({"-w", "10", "--max-sessions", "42"});
  ASSERT_TRUE(m.config) << m.error;
  EXPECT_EQ(m.config->max_sessions, 42u);
  // rmb-rs refuses zero for either.
  EXPECT_FALSE(parse({"-w", "0"}).config);
  EXPECT_FALSE(parse({"-u", "0"}).config);
}

TEST(RelayFlags, DebugCountsAndVersion) {
  auto d = parse({"-d"});
  ASSERT_TRUE(d.config) << d.error;
  EXPECT_TRUE(d.config->debug);
  EXPECT_EQ(d.config->verbosity, 1u);
  auto dd = parse({"-dd"});
  ASSERT_TRUE(dd.config) << dd.error;
  EXPECT_EQ(dd.config->verbosity, 2u);
  auto split = parse({"-d", "--debug", "-d"});
  ASSERT_TRUE(split.config) << split.error;
  EXPECT_EQ(split.config->verbosity, 3u);
  EXPECT_TRUE(parse({"-V"}).version);
  EXPECT_TRUE(parse({"--version"}).version);
}

TEST(RelayFlags, MailboxAndDirectoryChoices) {
  auto memory = parse({"--mailbox", "memory"});
  ASSERT_TRUE(memory.config) << memory.error;
  EXPECT_TRUE(memory.config->redis.empty());
  EXPECT_FALSE(memory.config->redis_defaulted);
  auto contradiction = parse({"--mailbox", "memory", "-r", "redis://h:1"});
  EXPECT_FALSE(contradiction.config);
  EXPECT_NE(contradiction.error.find("--mailbox memory"), std::string::npos) << contradiction.error;
  EXPECT_FALSE(parse({"--mailbox", "disk"}).config);

  auto file = parse({"--directory", "net.json"});
  ASSERT_TRUE(file.config) << file.error;
  EXPECT_EQ(file.config->directory, "net.json");
  EXPECT_TRUE(file.config->substrate.empty());
  EXPECT_FALSE(file.config->substrate_defaulted);
  EXPECT_FALSE(parse({"--directory", "net.json", "-s", "wss://x:443"}).config);
  EXPECT_FALSE(parse({"-s", "https://x:443"}).config);
}

TEST(RelayFlags, TokenChecksAreOptIn) {
  auto p = parse({"--session-age-from-token", "--max-iat-ahead", "60", "--twin-cache", "5", "--twin-cache-ttl", "9",
                  "--twin-recheck", "0"});
  ASSERT_TRUE(p.config) << p.error;
  EXPECT_TRUE(p.config->session_age_from_token);
  EXPECT_EQ(p.config->max_iat_ahead, 60u);
  EXPECT_EQ(p.config->twin_cache, 5u);
  EXPECT_EQ(p.config->twin_cache_ttl.count(), 9);
  EXPECT_EQ(p.config->twin_recheck.count(), 0);
  EXPECT_FALSE(parse({"--twin-cache", "0"}).config);
}

}  // namespace
}  // namespace rmb::relay
