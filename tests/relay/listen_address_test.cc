#include <gtest/gtest.h>

#include "relay/listener.h"

namespace rmb::relay {
namespace {

TEST(ListenAddress, Forms) {
  auto v6 = parse_listen_address("[::]:8080");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_TRUE(v6->address().is_v6());
  EXPECT_EQ(v6->port(), 8080);
  auto v4 = parse_listen_address("0.0.0.0:80");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->port(), 80);
  auto local = parse_listen_address("localhost:0");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->address().to_string(), "127.0.0.1");
}

TEST(ListenAddress, Errors) {
  EXPECT_FALSE(parse_listen_address("8080").ok());
  EXPECT_FALSE(parse_listen_address("[::]8080").ok());
  EXPECT_FALSE(parse_listen_address("1.2.3.4:99999").ok());
  EXPECT_FALSE(parse_listen_address("nohost.example:80").ok());
  EXPECT_FALSE(parse_listen_address("1.2.3.4:").ok());
}

}  // namespace
}  // namespace rmb::relay
