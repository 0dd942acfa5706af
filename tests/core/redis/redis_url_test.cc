#include "core/redis/redis_url.h"

#include <gtest/gtest.h>

namespace rmb::core {
namespace {

TEST(RedisUrl, HostPortDefaults) {
  auto u = parse_redis_url("redis://localhost:6379");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->db, 0u);
  EXPECT_FALSE(u->password);
  EXPECT_FALSE(u->is_unix());

  auto bare = parse_redis_url("redis://10.0.0.5");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "10.0.0.5");
  EXPECT_EQ(bare->port, 6379);
}

TEST(RedisUrl, PasswordAndDb) {
  // The Helm chart form: redis://:<pw>@<host>:6379
  auto u = parse_redis_url("redis://:s3cret@redis-master:6380/2");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "redis-master");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->db, 2u);
  ASSERT_TRUE(u->password);
  EXPECT_EQ(*u->password, "s3cret");
  EXPECT_FALSE(u->user);
  EXPECT_EQ(u->display(), "redis://redis-master:6380/2");  // no password in logs
}

TEST(RedisUrl, UserPasswordAndEscapes) {
  auto u = parse_redis_url("redis://relay:p%40ss%3Aw@h:1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(*u->user, "relay");
  EXPECT_EQ(*u->password, "p@ss:w");
  auto lone = parse_redis_url("redis://justpw@h");
  ASSERT_TRUE(lone.ok());
  EXPECT_FALSE(lone->user);
  EXPECT_EQ(*lone->password, "justpw");
}

TEST(RedisUrl, Ipv6) {
  auto u = parse_redis_url("redis://[::1]:7000");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 7000);
  EXPECT_EQ(u->display(), "redis://[::1]:7000");
}

TEST(RedisUrl, Ipv6DefaultPortAndCredentials) {
  auto bare = parse_redis_url("redis://[2001:db8::7]");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->host, "2001:db8::7");
  EXPECT_EQ(bare->port, 6379);
  auto full = parse_redis_url("redis://relay:pw@[::1]:6380/3");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->host, "::1");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->db, 3u);
  EXPECT_EQ(*full->user, "relay");
  EXPECT_EQ(*full->password, "pw");
  EXPECT_EQ(full->display(), "redis://[::1]:6380/3");
}

// host:port is read by core::parse_host_port, as every other address is. These forms were
// accepted by the old reader of redis_url alone and are refused now, each with its reason.
TEST(RedisUrl, HostPortFollowsTheOneAddressReader) {
  struct Case {
    const char* url;
    const char* message;
  };
  for (const Case& c : {
           Case{"redis://[::1]:", "invalid redis url: port must be 1-65535"},  // was: default port
           Case{"redis://[not-v6]:6379", "invalid redis url: bad IPv6 address"},
           Case{"redis://[fe80::1%eth0]", "invalid redis url: bad IPv6 address"},  // no zone ids
           Case{"redis://my host:6379", "invalid redis url: white space in host"},
           Case{"redis://h<x>:6379", "invalid redis url: bad character in host"},
           Case{"redis://::1:6379", "invalid redis url: IPv6 address needs [brackets]"},  // was: missing host
           Case{"redis://[::1]x", "invalid redis url: unexpected text after ]"},
           Case{"redis://[::1", "invalid redis url: unterminated [IPv6 address]"},
           Case{"redis://:pw@", "invalid redis url: no host"},
           Case{"redis://h:+1", "invalid redis url: port must be 1-65535"},
       }) {
    auto u = parse_redis_url(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_EQ(u.status().message(), c.message) << c.url;
  }
  auto dotted = parse_redis_url("redis://redis-master.default.svc_1:06379");  // leading zero as before
  ASSERT_TRUE(dotted.ok()) << dotted.status();
  EXPECT_EQ(dotted->host, "redis-master.default.svc_1");
  EXPECT_EQ(dotted->port, 6379);
}

TEST(RedisUrl, UnixSocket) {
  auto u = parse_redis_url("unix:///var/run/redis/redis.sock");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(u->is_unix());
  EXPECT_EQ(u->unix_path, "/var/run/redis/redis.sock");
  auto db = parse_redis_url("unix:///tmp/r.sock?db=3");
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(db->db, 3u);
  EXPECT_EQ(db->unix_path, "/tmp/r.sock");
}

TEST(RedisUrl, RejectsBadInputWithClearErrors) {
  for (const char* bad : {"", "localhost:6379", "http://h:1", "redis://", "redis://h:0", "redis://h:99999",
                          "redis://h:abc", "redis://h/notadb", "redis://[::1", "unix://", "unix://relative",
                          "redis://:pw%4@h", "rediss://h:6379", "redis://h:"}) {
    auto u = parse_redis_url(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_NE(u.status().message().find("invalid redis url"), std::string::npos) << bad;
    }
  }
}

TEST(RedisUrl, ErrorsNeverEchoThePassword) {
  auto u = parse_redis_url("redis://:topsecret@h:notaport");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().message().find("topsecret"), std::string::npos);
  // Typed without its '@', the password is where host:port is read; the address reader
  // quotes what it refuses, redis_url keeps only its reason.
  for (const char* typo :
       {"redis://user:topsecret", "redis://:topsecret:6379", "redis://[topsecret]", "redis://top secret"}) {
    auto t = parse_redis_url(typo);
    ASSERT_FALSE(t.ok()) << typo;
    EXPECT_EQ(t.status().message().find("secret"), std::string::npos) << t.status();
  }
}

}  // namespace
}  // namespace rmb::core
