// The named RMB error codes against PROTOCOL.md §8.9: the numbers are what rmb-rs clients
// switch on and the texts what they show, so both are known answers from the reference.
#include "core/protocol/errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace rmb::core::rmb_error {
namespace {

TEST(RmbErrors, CodesAreTheReferenceNumbers) {
  EXPECT_EQ(kUnspecified, 0u);
  EXPECT_EQ(kInvalidPayloadType, 100u);
  EXPECT_EQ(kInvalidPayloadData, 101u);
  EXPECT_EQ(kExpired, 102u);
  EXPECT_EQ(kUnknownTwin, 103u);
  EXPECT_EQ(kInvalidSignature, 104u);
  EXPECT_EQ(kNoPublicKey, 105u);
  EXPECT_EQ(kE2e, 106u);
  EXPECT_EQ(kOther, 500u);
}

TEST(RmbErrors, AllListsEveryCodeOnceInIncreasingOrder) {
  const std::set<uint32_t> unique(kAll.begin(), kAll.end());
  EXPECT_EQ(unique.size(), kAll.size());
  EXPECT_TRUE(std::is_sorted(kAll.begin(), kAll.end()));
  EXPECT_EQ(unique, (std::set<uint32_t>{0, 100, 101, 102, 103, 104, 105, 106, 500}));
}

TEST(RmbErrors, TextsAreTheReferenceTextsWithTheirDetail) {
  EXPECT_EQ(text(kInvalidPayloadType), "invalid message payload type");
  EXPECT_EQ(text(kInvalidPayloadData, "bad tag"), "invalid message payload data: bad tag");
  EXPECT_EQ(text(kExpired), "envelope validation error: message has expired");
  EXPECT_EQ(text(kUnknownTwin, "42"), "unknown twin id '42'");
  EXPECT_EQ(text(kInvalidSignature, "message is not signed"), "invalid envelope signature: message is not signed");
  EXPECT_EQ(text(kNoPublicKey), "sender twin has no public key");
  EXPECT_EQ(text(kE2e, "invalid cipher data"), "e2e error: invalid cipher data");
  EXPECT_EQ(text(kOther, "response has expired before sending!"), "other: response has expired before sending!");
}

TEST(RmbErrors, CodesWithoutAReferenceTextGiveTheDetailAlone) {
  EXPECT_EQ(text(kUnspecified, "handler failed"), "handler failed");
  EXPECT_EQ(text(255, "go router handler error"), "go router handler error");
}

}  // namespace
}  // namespace rmb::core::rmb_error
