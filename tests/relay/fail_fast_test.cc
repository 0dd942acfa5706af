#include "relay/fail_fast.h"

#include <gtest/gtest.h>

namespace rmb::relay {
namespace {

TEST(FailFast, TokenMatching) {
  EXPECT_TRUE(has_fail_fast("fail-fast"));
  EXPECT_TRUE(has_fail_fast("a,fail-fast"));
  EXPECT_TRUE(has_fail_fast("fail-fast,b"));
  EXPECT_TRUE(has_fail_fast("  fail-fast  "));
  EXPECT_TRUE(has_fail_fast("x\tfail-fast\ny"));
  EXPECT_TRUE(has_fail_fast(",,fail-fast,,"));
  EXPECT_TRUE(
      has_fail_fast("a\xc2\xa0"
                    "fail-fast"));  // U+00A0 no-break space
  EXPECT_TRUE(
      has_fail_fast("a\xe3\x80\x80"
                    "fail-fast"));  // U+3000 ideographic space
}

TEST(FailFast, NonMatches) {
  EXPECT_FALSE(has_fail_fast(""));
  EXPECT_FALSE(has_fail_fast("Fail-Fast"));  // case-sensitive
  EXPECT_FALSE(has_fail_fast("fail-fastx"));
  EXPECT_FALSE(has_fail_fast("xfail-fast"));
  EXPECT_FALSE(has_fail_fast("fail fast"));
  EXPECT_FALSE(has_fail_fast("fail-fast;"));  // ';' is not a separator
  EXPECT_FALSE(
      has_fail_fast("\xc3\xa9"
                    "fail-fast"));  // U+00E9 is a letter, not space
}

}  // namespace
}  // namespace rmb::relay
