// Server frame headers built by hand for coalesced writes (RFC 6455 §5.2): FIN + binary,
// no mask, the shortest length encoding, network byte order.
#include "relay/ws_frame_header.h"

#include <gtest/gtest.h>

#include <vector>

namespace rmb::relay {
namespace {

std::vector<unsigned char> header(uint64_t size) {
  unsigned char out[kMaxWsFrameHeader];
  const size_t n = write_binary_frame_header(size, out);
  return {out, out + n};
}

using Bytes = std::vector<unsigned char>;

TEST(WsFrameHeader, SevenBitLengths) {
  EXPECT_EQ(header(0), (Bytes{0x82, 0x00}));
  EXPECT_EQ(header(1), (Bytes{0x82, 0x01}));
  EXPECT_EQ(header(125), (Bytes{0x82, 0x7D}));
}

TEST(WsFrameHeader, SixteenBitLengths) {
  EXPECT_EQ(header(126), (Bytes{0x82, 0x7E, 0x00, 0x7E}));
  EXPECT_EQ(header(1024), (Bytes{0x82, 0x7E, 0x04, 0x00}));
  EXPECT_EQ(header(65535), (Bytes{0x82, 0x7E, 0xFF, 0xFF}));
}

TEST(WsFrameHeader, SixtyFourBitLengths) {
  EXPECT_EQ(header(65536), (Bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
  EXPECT_EQ(header(1 << 20), (Bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0x10, 0x00, 0x00}));
  EXPECT_EQ(header(0x0102030405060708ULL), (Bytes{0x82, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace rmb::relay
