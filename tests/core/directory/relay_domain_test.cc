#include "core/directory/relay_domain.h"

#include <gtest/gtest.h>

namespace rmb::core {
namespace {

TEST(RelayDomain, AcceptsChainStyleDomainsAndPorts) {
  for (const char* ok : {"relay.grid.tf", "r1.example.com", "localhost", "127.0.0.1:8080", "relay-1.dev.grid.tf:443",
                         "a", "A-B.c", "relay:65535", "relay:1"}) {
    EXPECT_TRUE(validate_relay_domain(ok).ok()) << ok;
  }
}

TEST(RelayDomain, RejectsWhatTheChainRejects) {
  struct Bad {
    std::string domain, why;
  };
  const Bad bad[] = {
      {"", "the host name is empty"},
      {".relay.tf", "starts or ends with '.'"},
      {"relay.tf.", "starts or ends with '.'"},
      {"relay..tf", "contains \"..\""},
      {"https://relay.tf", "the port must be decimal digits"},
      {"relay.tf/path", "allowed characters"},
      {"relay tf", "allowed characters"},
      {"r1.tf_r2.tf", "'_' separates relays on chain"},
      {"relay:0", "the port must be 1..65535"},
      {"relay:65536", "the port must be 1..65535"},
      {"relay:", "the port must be 1..65535"},
      {"relay:080", "the port must be 1..65535"},
      {":80", "the host name is empty"},
      {"relay:80:81", "the port must be decimal digits"},
      {"r\xc3\xa9lay", "allowed characters"},
  };
  for (const auto& b : bad) {
    auto st = validate_relay_domain(b.domain);
    ASSERT_FALSE(st.ok()) << b.domain;
    EXPECT_NE(std::string(st.message()).find(b.why), std::string::npos) << b.domain << " -> " << st.message();
  }
}

}  // namespace
}  // namespace rmb::core
