// free_port() is what every process-level test relies on to keep its servers apart.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace rmb::test {
namespace {

unsigned ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 32768;
  in >> low;
  return low;
}

bool bindable(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

TEST(FreePort, DistinctBindablePortsBelowTheEphemeralRange) {
  std::set<uint16_t> seen;
  for (int i = 0; i < 100; ++i) {
    const uint16_t port = free_port();
    ASSERT_NE(port, 0);
    EXPECT_LT(port, ephemeral_low()) << "an ephemeral port can be taken by any outgoing connection";
    EXPECT_TRUE(seen.insert(port).second) << "port " << port << " handed out twice";
    EXPECT_TRUE(bindable(port)) << "port " << port;
  }
}

}  // namespace
}  // namespace rmb::test
