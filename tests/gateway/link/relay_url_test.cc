#include "gateway/link/relay_url.h"

#include <gtest/gtest.h>

namespace rmb::gateway::link {
namespace {

TEST(RelayUrl, DefaultsPortAndPath) {
  auto ws = parse_relay_url("ws://relay.example");
  ASSERT_TRUE(ws.ok()) << ws.status();
  EXPECT_FALSE(ws->tls);
  EXPECT_EQ(ws->host, "relay.example");
  EXPECT_EQ(ws->port, 80);
  EXPECT_EQ(ws->path, "/");
  EXPECT_EQ(ws->host_header, "relay.example");

  auto wss = parse_relay_url("wss://relay.grid.tf");
  ASSERT_TRUE(wss.ok()) << wss.status();
  EXPECT_TRUE(wss->tls);
  EXPECT_EQ(wss->port, 443);
  EXPECT_EQ(wss->path, "/");
}

TEST(RelayUrl, ExplicitPortPathAndCaseInsensitiveScheme) {
  auto url = parse_relay_url("WSS://relay.grid.tf:8443/api/ws");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "relay.grid.tf");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/api/ws");
  EXPECT_EQ(url->host_header, "relay.grid.tf:8443");
  EXPECT_EQ(url->text, "WSS://relay.grid.tf:8443/api/ws");
}

TEST(RelayUrl, QueryAndFragmentAreReplacedByTheToken) {
  // §4.2: rmb-peer replaces the query of the configured URL and keeps the path.
  auto url = parse_relay_url("ws://127.0.0.1:9000/p?old=1#frag");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->path, "/p");
  EXPECT_EQ(request_target(*url, "aaa.bbb.ccc"), "/p?aaa.bbb.ccc");
  auto bare = parse_relay_url("ws://127.0.0.1:9000?x");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(request_target(*bare, "t"), "/?t");
}

TEST(RelayUrl, Ipv6Literal) {
  auto url = parse_relay_url("ws://[::1]:8080/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->host_header, "[::1]:8080");
  auto no_port = parse_relay_url("wss://[2001:db8::2]");
  ASSERT_TRUE(no_port.ok()) << no_port.status();
  EXPECT_EQ(no_port->host, "2001:db8::2");
  EXPECT_EQ(no_port->port, 443);
}

TEST(RelayUrl, BadUrlsAreRejectedWithTheReason) {
  struct Case {
    const char* url;
    const char* reason;
  };
  for (const Case& c :
       {Case{"http://relay.example", "expected ws:// or wss://"}, Case{"relay.example:80", "expected ws:// or wss://"},
        Case{"", "expected ws:// or wss://"}, Case{"ws://", "no host"}, Case{"ws:///path", "no host"},
        Case{"ws://:80/", "no host"}, Case{"ws://host:/", "empty port"}, Case{"ws://host:0", "bad port '0'"},
        Case{"ws://host:65536", "bad port '65536'"}, Case{"ws://host:-1", "bad port '-1'"},
        Case{"ws://host:8x", "bad port '8x'"}, Case{"ws://[::1", "unterminated [IPv6 address]"},
        Case{"ws://[::1]x:80", "unexpected text after ]"}, Case{"ws://user:pw@host/", "user info is not supported"},
        Case{"ws://ho st/", "white space in host"}}) {
    auto url = parse_relay_url(c.url);
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(url.status().message(), std::string("bad relay URL '") + c.url + "': " + c.reason);
  }
}

TEST(RelayUrl, ArbitraryBytesNeverCrash) {
  std::string s;
  for (int i = 0; i < 2000; ++i) {
    s.push_back(static_cast<char>((i * 37) % 256));
    (void)parse_relay_url(s);
    (void)parse_relay_url("ws://" + s);
    (void)parse_relay_url("wss://[" + s);
  }
}

}  // namespace
}  // namespace rmb::gateway::link
