// core/net/url: the one URL and host:port reader of relay links (--relay), tfchain nodes
// (--substrate), federation domains and listen addresses.
#include "core/net/url.h"

#include <gtest/gtest.h>

namespace rmb::core {
namespace {

TEST(Url, DefaultsPortAndPath) {
  auto ws = parse_ws_url("ws://relay.example");
  ASSERT_TRUE(ws.ok()) << ws.status();
  EXPECT_EQ(ws->scheme, "ws");
  EXPECT_FALSE(ws->tls);
  EXPECT_EQ(ws->host, "relay.example");
  EXPECT_EQ(ws->port, 80);
  EXPECT_EQ(ws->path, "/");
  EXPECT_EQ(ws->target(), "/");
  EXPECT_EQ(ws->host_header, "relay.example");

  auto wss = parse_ws_url("wss://relay.grid.tf");
  ASSERT_TRUE(wss.ok()) << wss.status();
  EXPECT_TRUE(wss->tls);
  EXPECT_EQ(wss->port, 443);
  EXPECT_EQ(wss->path, "/");
}

TEST(Url, HttpSchemes) {
  auto http = parse_url("http://127.0.0.1:8081/x");
  ASSERT_TRUE(http.ok()) << http.status();
  EXPECT_FALSE(http->tls);
  EXPECT_EQ(http->port, 8081);
  auto https = parse_url("HTTPS://relay.grid.tf");
  ASSERT_TRUE(https.ok()) << https.status();
  EXPECT_EQ(https->scheme, "https");
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->port, 443);
  EXPECT_EQ(parse_url("ftp://x").status().message(), "bad URL 'ftp://x': expected ws://, wss://, http:// or https://");
  EXPECT_EQ(parse_ws_url("https://x", "relay URL").status().message(),
            "bad relay URL 'https://x': expected ws:// or wss://");
}

TEST(Url, ExplicitPortPathAndCaseInsensitiveScheme) {
  auto url = parse_ws_url("WSS://relay.grid.tf:8443/api/ws");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "relay.grid.tf");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/api/ws");
  EXPECT_EQ(url->host_header, "relay.grid.tf:8443");
  EXPECT_EQ(url->text, "WSS://relay.grid.tf:8443/api/ws");
}

TEST(Url, QueryIsKeptApartAndTheFragmentDropped) {
  auto url = parse_ws_url("ws://127.0.0.1:9944/ws?x=1#frag");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->path, "/ws");
  EXPECT_EQ(url->query, "x=1");
  EXPECT_EQ(url->target(), "/ws?x=1");
  EXPECT_EQ(url->host_header, "127.0.0.1:9944");
  auto bare = parse_ws_url("ws://127.0.0.1:9000?x");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->path, "/");
  EXPECT_EQ(bare->target(), "/?x");
}

TEST(Url, Ipv6Literal) {
  auto url = parse_ws_url("ws://[::1]:8080/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->host_header, "[::1]:8080");
  auto no_port = parse_ws_url("wss://[2001:db8::2]");
  ASSERT_TRUE(no_port.ok()) << no_port.status();
  EXPECT_EQ(no_port->host, "2001:db8::2");
  EXPECT_EQ(no_port->port, 443);
}

TEST(Url, BadUrlsAreRejectedWithTheReason) {
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
        Case{"ws://ho st/", "white space in host"}, Case{"ws://::1:80/", "IPv6 address needs [brackets]"},
        Case{"ws://[nope]:80/", "bad IPv6 address 'nope'"}, Case{"ws://a\"b/", "bad character in host"}}) {
    auto url = parse_ws_url(c.url, "relay URL");
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(url.status().message(), std::string("bad relay URL '") + c.url + "': " + c.reason);
  }
}

TEST(HostPort, DomainWithOptionalPort) {
  const HostPortRules https{.default_port = 443};
  auto plain = parse_host_port("relay.grid.tf", https);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->host, "relay.grid.tf");
  EXPECT_EQ(plain->port, 443);
  auto port = parse_host_port("127.0.0.1:8081", https);
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(port->host, "127.0.0.1");
  EXPECT_EQ(port->port, 8081);
  auto v6 = parse_host_port("[::1]:9000", https);
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  // Nothing that could break a request line or a Host header gets through.
  for (const char* bad : {"", ":80", "h:0", "h:70000", "h:x", "a b", "h/path", "[::1", "::1:80", "h\r\nX: y", "h?"}) {
    EXPECT_FALSE(parse_host_port(bad, https).ok()) << bad;
  }
  EXPECT_FALSE(parse_host_port(std::string_view("[::1\0]", 6), https).ok());
  EXPECT_EQ(parse_host_port("h:0", https, "relay domain").status().message(), "bad relay domain 'h:0': bad port '0'");
}

TEST(HostPort, ListenAddressesNeedAPortAndMayAskForAnyPort) {
  const HostPortRules listen{.default_port = std::nullopt, .allow_port_zero = true};
  auto any = parse_host_port("localhost:0", listen);
  ASSERT_TRUE(any.ok()) << any.status();
  EXPECT_EQ(any->port, 0);
  auto v6 = parse_host_port("[::]:8080", listen);
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::");
  EXPECT_EQ(parse_host_port("8080", listen, "listen address").status().message(),
            "bad listen address '8080': expected host:port");
  EXPECT_FALSE(parse_host_port("[::]8080", listen).ok());
  EXPECT_FALSE(parse_host_port("1.2.3.4:99999", listen).ok());
  EXPECT_FALSE(parse_host_port("1.2.3.4:", listen).ok());
}

TEST(Url, ArbitraryBytesNeverCrash) {
  std::string s;
  for (int i = 0; i < 2000; ++i) {
    s.push_back(static_cast<char>((i * 37) % 256));
    (void)parse_url(s);
    (void)parse_url("ws://" + s);
    (void)parse_url("wss://[" + s);
    (void)parse_host_port(s, {.default_port = 80});
  }
}

}  // namespace
}  // namespace rmb::core
