// Server frame headers built by hand for coalesced writes (RFC 6455 §5.2): FIN + binary,
// no mask, the shortest length encoding, network byte order. Client frame headers parsed
// by the reader (masked, any length encoding) and the §5.3 unmasking.
#include "relay/ws/frame_header.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace rmb::relay {
namespace {

std::vector<unsigned char> header(uint64_t size) {
  unsigned char out[ws::kMaxServerFrameHeader];
  const size_t n = ws::write_binary_frame_header(size, out);
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

// ---- Client frame headers (parse_frame_header) ----

const unsigned char kMask[4] = {0xA1, 0xB2, 0xC3, 0xD4};

// A masked client header with an explicit length field, so tests can also build the
// encodings a conforming client must not use.
Bytes client_header(uint8_t first_byte, unsigned length7, uint64_t extended, bool masked = true) {
  Bytes out{first_byte, static_cast<unsigned char>((masked ? 0x80 : 0x00) | length7)};
  if (length7 == 126) {
    out.push_back(static_cast<unsigned char>(extended >> 8));
    out.push_back(static_cast<unsigned char>(extended));
  } else if (length7 == 127) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<unsigned char>(extended >> (8 * i)));
  }
  if (masked) out.insert(out.end(), kMask, kMask + 4);
  return out;
}

ws::HeaderParse parse(const Bytes& bytes, ws::FrameHeader& out) {
  return ws::parse_frame_header(bytes.data(), bytes.size(), out);
}

void expect_mask(const ws::FrameHeader& h) {
  EXPECT_TRUE(h.masked);
  EXPECT_EQ(0, std::memcmp(h.mask, kMask, 4));
}

TEST(WsFrameHeaderParse, SevenBitLengthMasked) {
  for (uint64_t size : {0u, 1u, 125u}) {
    ws::FrameHeader h;
    ASSERT_EQ(parse(client_header(0x82, static_cast<unsigned>(size), 0), h), ws::HeaderParse::kComplete) << size;
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.rsv, 0);
    EXPECT_EQ(h.opcode, 0x2);
    EXPECT_EQ(h.payload_size, size);
    EXPECT_EQ(h.header_size, 6u);
    expect_mask(h);
  }
}

TEST(WsFrameHeaderParse, SixteenBitLengthMasked) {
  for (uint64_t size : {126u, 1024u, 65535u}) {
    ws::FrameHeader h;
    ASSERT_EQ(parse(client_header(0x02, 126, size), h), ws::HeaderParse::kComplete) << size;
    EXPECT_FALSE(h.fin);
    EXPECT_EQ(h.opcode, 0x2);
    EXPECT_EQ(h.payload_size, size);
    EXPECT_EQ(h.header_size, 8u);
    expect_mask(h);
  }
}

TEST(WsFrameHeaderParse, SixtyFourBitLengthMasked) {
  for (uint64_t size : {uint64_t{65536}, uint64_t{1} << 20, uint64_t{0x7FFFFFFFFFFFFFFF}}) {
    ws::FrameHeader h;
    ASSERT_EQ(parse(client_header(0x81, 127, size), h), ws::HeaderParse::kComplete) << size;
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.opcode, 0x1);
    EXPECT_EQ(h.payload_size, size);
    EXPECT_EQ(h.header_size, 14u);
    expect_mask(h);
  }
}

TEST(WsFrameHeaderParse, FieldsOfTheFirstByte) {
  // RSV bits and reserved opcodes are reported, not judged: that is the reader's job.
  ws::FrameHeader h;
  ASSERT_EQ(parse(client_header(0x7B, 5, 0), h), ws::HeaderParse::kComplete);
  EXPECT_FALSE(h.fin);
  EXPECT_EQ(h.rsv, 0x7);
  EXPECT_EQ(h.opcode, 0xB);
  ASSERT_EQ(parse(client_header(0xC9, 5, 0), h), ws::HeaderParse::kComplete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.rsv, 0x4);  // RSV1
  EXPECT_EQ(h.opcode, 0x9);
}

TEST(WsFrameHeaderParse, UnmaskedHeaderHasNoKey) {
  ws::FrameHeader h;
  ASSERT_EQ(parse(client_header(0x82, 126, 300, /*masked=*/false), h), ws::HeaderParse::kComplete);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.payload_size, 300u);
  EXPECT_EQ(h.header_size, 4u);
}

TEST(WsFrameHeaderParse, NeedMoreAtEveryTruncation) {
  const std::vector<Bytes> headers = {
      client_header(0x82, 5, 0),               // 6 bytes
      client_header(0x82, 126, 200),           // 8 bytes
      client_header(0x82, 127, 70000),         // 14 bytes
      client_header(0x82, 127, 70000, false),  // 10 bytes
  };
  for (const Bytes& full : headers) {
    ws::FrameHeader h;
    for (size_t cut = 0; cut < full.size(); ++cut) {
      EXPECT_EQ(ws::parse_frame_header(full.data(), cut, h), ws::HeaderParse::kNeedMore)
          << "header of " << full.size() << " bytes cut at " << cut;
    }
    ASSERT_EQ(parse(full, h), ws::HeaderParse::kComplete);
    EXPECT_EQ(h.header_size, full.size());
    // Payload bytes behind the header change nothing.
    Bytes longer = full;
    longer.insert(longer.end(), 20, 0xEE);
    ASSERT_EQ(parse(longer, h), ws::HeaderParse::kComplete);
    EXPECT_EQ(h.header_size, full.size());
  }
}

TEST(WsFrameHeaderParse, NonMinimalSixteenBitLengthIsBad) {
  ws::FrameHeader h;
  for (uint64_t size : {0u, 1u, 125u}) {
    EXPECT_EQ(parse(client_header(0x82, 126, size), h), ws::HeaderParse::kBadLength) << size;
  }
  EXPECT_EQ(parse(client_header(0x82, 126, 126), h), ws::HeaderParse::kComplete);
}

TEST(WsFrameHeaderParse, NonMinimalSixtyFourBitLengthIsBad) {
  ws::FrameHeader h;
  for (uint64_t size : {0u, 125u, 126u, 65535u}) {
    EXPECT_EQ(parse(client_header(0x82, 127, size), h), ws::HeaderParse::kBadLength) << size;
  }
  EXPECT_EQ(parse(client_header(0x82, 127, 65536), h), ws::HeaderParse::kComplete);
}

TEST(WsFrameHeaderParse, TopBitOfSixtyFourBitLengthIsBad) {
  ws::FrameHeader h;
  for (uint64_t size : {uint64_t{1} << 63, ~uint64_t{0}, (uint64_t{1} << 63) | 70000}) {
    EXPECT_EQ(parse(client_header(0x82, 127, size), h), ws::HeaderParse::kBadLength) << size;
  }
}

// ---- unmask ----

// §5.3 byte by byte: octet i of the payload is XORed with octet (i mod 4) of the key.
Bytes reference_unmask(Bytes data, const unsigned char (&mask)[4], size_t offset) {
  for (size_t i = 0; i < data.size(); ++i) data[i] ^= mask[(offset + i) % 4];
  return data;
}

TEST(WsUnmask, MatchesByteByByteReference) {
  const unsigned char mask[4] = {0x5A, 0x01, 0xF0, 0x3C};
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t size = 0; size <= 40; ++size) {
      Bytes data(size);
      for (size_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i * 37 + offset);
      const Bytes expected = reference_unmask(data, mask, offset);
      // Unaligned start too: the word loop must not rely on alignment.
      Bytes storage(size + 3);
      std::copy(data.begin(), data.end(), storage.begin() + 3);
      ws::unmask(storage.data() + 3, size, mask, offset);
      EXPECT_EQ(Bytes(storage.begin() + 3, storage.end()), expected) << "offset " << offset << " size " << size;
    }
  }
}

TEST(WsUnmask, IsItsOwnInverse) {
  const unsigned char mask[4] = {0xFF, 0x00, 0x80, 0x7F};
  Bytes data(33);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i);
  Bytes twice = data;
  ws::unmask(twice.data(), twice.size(), mask, 2);
  EXPECT_NE(twice, data);
  ws::unmask(twice.data(), twice.size(), mask, 2);
  EXPECT_EQ(twice, data);
}

TEST(WsUnmask, SplitAtAnyOffsetEqualsWhole) {
  // Unmasking a payload in two pieces, the second at its offset, equals one pass.
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  Bytes data(29);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(200 - i);
  Bytes whole = data;
  ws::unmask(whole.data(), whole.size(), mask);
  for (size_t split = 0; split <= data.size(); ++split) {
    Bytes pieces = data;
    ws::unmask(pieces.data(), split, mask, 0);
    ws::unmask(pieces.data() + split, pieces.size() - split, mask, split);
    EXPECT_EQ(pieces, whole) << split;
  }
}

// RFC 6455 §5.7: "A single-frame masked text message" containing "Hello".
TEST(WsFrameHeaderParse, Rfc6455MaskedHelloVector) {
  Bytes frame{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  ws::FrameHeader h;
  ASSERT_EQ(parse(frame, h), ws::HeaderParse::kComplete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.rsv, 0);
  EXPECT_EQ(h.opcode, static_cast<uint8_t>(ws::Opcode::kText));
  EXPECT_TRUE(h.masked);
  const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  EXPECT_EQ(0, std::memcmp(h.mask, key, 4));
  EXPECT_EQ(h.payload_size, 5u);
  ASSERT_EQ(h.header_size, 6u);
  ws::unmask(frame.data() + h.header_size, h.payload_size, h.mask);
  EXPECT_EQ(std::string(frame.begin() + 6, frame.end()), "Hello");
  // And the unmasked form (§5.7, "A single-frame unmasked text message").
  const Bytes unmasked{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
  ASSERT_EQ(parse(unmasked, h), ws::HeaderParse::kComplete);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.payload_size, 5u);
  EXPECT_EQ(h.header_size, 2u);
}

}  // namespace
}  // namespace rmb::relay
