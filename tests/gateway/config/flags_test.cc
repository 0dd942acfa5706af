// rmb-peer's flags and environment (gateway/config/flags.cc).
#include <gtest/gtest.h>

#include <map>

#include "gateway/config/peer_config.h"

namespace rmb::gateway::config {
namespace {

struct Env {
  std::map<std::string, std::string> values;
  GetEnv getter() const {
    return [this](const char* name) -> const char* {
      auto it = values.find(name);
      return it == values.end() ? nullptr : it->second.c_str();
    };
  }
};

ParsedFlags parse(std::vector<std::string> args, const Env& env = {}) {
  args.insert(args.begin(), "rmb-peer");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_peer_flags(static_cast<int>(argv.size()), argv.data(), env.getter());
}

TEST(PeerFlags, MinimalRunAndDefaults) {
  auto f = parse({"-m", "//Alice", "--relay", "ws://r1", "--directory", "twins.json"});
  ASSERT_EQ(f.kind, ParsedFlags::Kind::kRun) << f.text;
  EXPECT_EQ(f.config.key_type, core::KeyType::kSr25519);
  EXPECT_EQ(f.config.mnemonic, "//Alice");
  EXPECT_EQ(f.config.relays, std::vector<std::string>{"ws://r1"});
  EXPECT_EQ(f.config.grpc_listen, "127.0.0.1:7070");
  EXPECT_TRUE(f.config.metrics_listen.empty());
  EXPECT_FALSE(f.config.no_update);
  EXPECT_EQ(f.config.resend_after, 10u);
  EXPECT_EQ(f.config.resend_max, 60u);
  EXPECT_EQ(f.config.reply_cache, 100000u);
  EXPECT_EQ(f.config.reply_cache_mb, 256u);
  EXPECT_EQ(f.config.max_pending, 10000u);
  EXPECT_EQ(f.config.max_incoming, 10000u);
  EXPECT_EQ(f.config.service_grace_ms, 3000u);
}

TEST(PeerFlags, RmbRsCommandLinesWork) {
  // rmb-rs's defaults: the grid's main network, when nothing says otherwise.
  auto bare = parse({"-m", "x"});
  ASSERT_EQ(bare.kind, ParsedFlags::Kind::kRun) << bare.text;
  EXPECT_EQ(bare.config.relays, std::vector<std::string>{"wss://relay.grid.tf:443"});
  EXPECT_EQ(bare.config.substrate, std::vector<std::string>{"wss://tfchain.grid.tf:443"});
  EXPECT_TRUE(bare.config.relay_defaulted);
  EXPECT_TRUE(bare.config.substrate_defaulted);
  EXPECT_EQ(bare.config.redis, "redis://localhost:6379");
  EXPECT_TRUE(bare.config.redis_defaulted);
  auto off = parse({"-m", "x", "--no-redis"});
  ASSERT_EQ(off.kind, ParsedFlags::Kind::kRun) << off.text;
  EXPECT_TRUE(off.config.redis.empty());
  auto mine = parse({"-m", "x", "-r", "redis://h:1/2"});
  ASSERT_EQ(mine.kind, ParsedFlags::Kind::kRun) << mine.text;
  EXPECT_EQ(mine.config.redis, "redis://h:1/2");
  EXPECT_FALSE(mine.config.redis_defaulted);
  EXPECT_FALSE(bare.config.debug);
  // Deprecated secret spellings, counted -d, -u, -s.
  auto old = parse({"--mnemonics", "words", "-dd", "-u", "/tmp/up", "-s", "ws://node:9944", "--relay", "ws://r"});
  ASSERT_EQ(old.kind, ParsedFlags::Kind::kRun) << old.text;
  EXPECT_EQ(old.config.mnemonic, "words");
  EXPECT_TRUE(old.config.debug);
  EXPECT_EQ(old.config.uploads, "/tmp/up");
  EXPECT_EQ(old.config.substrate, std::vector<std::string>{"ws://node:9944"});
  EXPECT_FALSE(old.config.relay_defaulted);
  EXPECT_FALSE(old.config.substrate_defaulted);
  auto seeded = parse({"--seed", "0xabc", "-d", "-d", "--debug", "--relay", "ws://r", "--directory", "t"});
  ASSERT_EQ(seeded.kind, ParsedFlags::Kind::kRun) << seeded.text;
  EXPECT_EQ(seeded.config.mnemonic, "0xabc");
  EXPECT_TRUE(seeded.config.debug);
  EXPECT_EQ(parse({"-V"}).kind, ParsedFlags::Kind::kVersion);
}

TEST(PeerFlags, ReliabilityAndBounds) {
  auto f = parse({"-m", "x", "--relay", "ws://r", "--directory", "t", "--resend-after", "0", "--resend-max", "5",
                  "--reply-cache", "7", "--reply-cache-mb", "3", "--max-pending", "9", "--max-incoming", "11"});
  ASSERT_EQ(f.kind, ParsedFlags::Kind::kRun) << f.text;
  EXPECT_EQ(f.config.resend_after, 0u);
  EXPECT_EQ(f.config.resend_max, 5u);
  EXPECT_EQ(f.config.reply_cache, 7u);
  EXPECT_EQ(f.config.reply_cache_mb, 3u);
  EXPECT_EQ(f.config.max_pending, 9u);
  EXPECT_EQ(f.config.max_incoming, 11u);
  auto redis =
      parse({"-m", "x", "--redis-instance", "peer7", "--redis-max-orphan-replies", "5", "--redis-pop-batch", "3"});
  ASSERT_EQ(redis.kind, ParsedFlags::Kind::kRun) << redis.text;
  EXPECT_EQ(redis.config.redis_instance, "peer7");
  EXPECT_EQ(redis.config.redis_max_orphan_replies, 5u);
  EXPECT_EQ(redis.config.redis_pop_batch, 3u);
  EXPECT_EQ(parse({"-m", "x"}).config.redis_pop_batch, 64u);
  for (const char* refused : {"0", "4097"}) {
    auto bad = parse({"-m", "x", "--redis-pop-batch", refused});
    EXPECT_EQ(bad.kind, ParsedFlags::Kind::kError) << refused;
    EXPECT_NE(bad.text.find("--redis-pop-batch must be 1..4096"), std::string::npos) << bad.text;
  }
}

TEST(PeerFlags, RepeatedRelaysAndSubstrate) {
  auto f = parse({"-k", "ED25519", "-m", "x", "--relay", "ws://a", "--relay", "wss://b", "--substrate", "ws://n1",
                  "--substrate", "wss://n2", "--no-update", "--grpc-listen", "unix:/tmp/p.sock"});
  ASSERT_EQ(f.kind, ParsedFlags::Kind::kRun) << f.text;
  EXPECT_EQ(f.config.key_type, core::KeyType::kEd25519);
  EXPECT_EQ(f.config.relays, (std::vector<std::string>{"ws://a", "wss://b"}));
  EXPECT_EQ(f.config.substrate, (std::vector<std::string>{"ws://n1", "wss://n2"}));
  EXPECT_TRUE(f.config.no_update);
  EXPECT_EQ(f.config.grpc_listen, "unix:/tmp/p.sock");
}

TEST(PeerFlags, EnvironmentFillsWhatFlagsLeaveOut) {
  Env env{{{"RMB_MNEMONIC", "env secret"},
           {"RMB_RELAY", "ws://e1, ws://e2"},
           {"RMB_DIRECTORY", "/d.json"},
           {"RMB_KEY_TYPE", "ed25519"},
           {"RMB_GRPC_LISTEN", "0.0.0.0:9000"},
           {"RMB_METRICS_LISTEN", "127.0.0.1:9001"},
           {"RMB_REDIS", "redis://127.0.0.1:6379"}}};
  auto f = parse({}, env);
  ASSERT_EQ(f.kind, ParsedFlags::Kind::kRun) << f.text;
  EXPECT_EQ(f.config.mnemonic, "env secret");
  EXPECT_EQ(f.config.relays, (std::vector<std::string>{"ws://e1", "ws://e2"}));
  EXPECT_EQ(f.config.directory, "/d.json");
  EXPECT_EQ(f.config.key_type, core::KeyType::kEd25519);
  EXPECT_EQ(f.config.grpc_listen, "0.0.0.0:9000");
  EXPECT_EQ(f.config.metrics_listen, "127.0.0.1:9001");
  EXPECT_EQ(f.config.redis, "redis://127.0.0.1:6379");

  auto g = parse({"-m", "flag secret", "--relay", "ws://f", "-k", "sr25519", "--grpc-listen", "127.0.0.1:1"}, env);
  ASSERT_EQ(g.kind, ParsedFlags::Kind::kRun) << g.text;
  EXPECT_EQ(g.config.mnemonic, "flag secret");
  EXPECT_EQ(g.config.relays, std::vector<std::string>{"ws://f"});
  EXPECT_EQ(g.config.key_type, core::KeyType::kSr25519);
  EXPECT_EQ(g.config.grpc_listen, "127.0.0.1:1");
}

TEST(PeerFlags, HelpListsDefaultsAndVersion) {
  auto h = parse({"--help"});
  ASSERT_EQ(h.kind, ParsedFlags::Kind::kHelp);
  EXPECT_NE(h.text.find("--grpc-listen"), std::string::npos);
  EXPECT_NE(h.text.find("127.0.0.1:7070"), std::string::npos);
  EXPECT_NE(h.text.find("sr25519"), std::string::npos);
  EXPECT_NE(h.text.find("RMB_MNEMONIC"), std::string::npos);
  EXPECT_EQ(parse({"--version"}).kind, ParsedFlags::Kind::kVersion);
}

TEST(PeerFlags, ErrorsSayWhatIsWrong) {
  const std::vector<std::string> ok = {"-m", "x", "--relay", "ws://r", "--directory", "t.json"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = ok;
    args.insert(args.end(), extra.begin(), extra.end());
    return parse(args);
  };
  struct Case {
    ParsedFlags flags;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {parse({"--relay", "ws://r", "--directory", "t"}), "secret"},
      {with({"--substrate", "ws://n"}), "exactly one"},
      {with({"--seed", "y"}), "secret once"},
      {with({"--redis", "redis://h", "--no-redis"}), "--no-redis"},
      {parse({"--mnemonics", "a", "--seed", "b"}), "secret once"},
      {with({"-k", "rsa"}), "--key-type"},
      {with({"--relay", "http://x"}), "ws://"},
      {with({"--relay", "ws://2", "--relay", "ws://3", "--relay", "ws://4", "--relay", "ws://5"}), "at most 4"},
      {with({"--grpc-listen", "nowhere"}), "--grpc-listen"},
      {with({"--metrics-listen", "unix:/x"}), "--metrics-listen"},
      {with({"--bogus"}), "bogus"},
      {with({"--threads", "many"}), "threads"},
      {with({"--resend-after", "30", "--resend-max", "10"}), "--resend-max"},
      {with({"--max-pending", "0"}), "--max-pending"},
      {with({"--max-incoming", "0"}), "--max-incoming"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.flags.kind, ParsedFlags::Kind::kError) << c.needle;
    EXPECT_NE(c.flags.text.find(c.needle), std::string::npos) << c.flags.text;
  }
}

}  // namespace
}  // namespace rmb::gateway::config
