// The relay's WebSocket reader (relay/ws/frame_reader.h): close payloads, and the frames a
// client must not send, each refused with its close code and nothing delivered after.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "relay/ws/frame_reader.h"
#include "tests/relay/ws/frame_reader_test_util.h"

namespace rmb::relay {
namespace {

using namespace frame_reader_test;
using ws::FrameReader;
using ws::MessageKind;

// ---- close payloads ----

TEST(WsClosePayload, NoCodeMeans1005) {
  uint16_t code = 0;
  std::string_view reason = "stale";
  ASSERT_TRUE(ws::parse_close_payload("", code, reason));
  EXPECT_EQ(code, ws::kCloseNoStatus);
  EXPECT_TRUE(reason.empty());
}

TEST(WsClosePayload, CodeAndReason) {
  // `reason` views the payload, so the payloads outlive the checks.
  uint16_t code = 0;
  std::string_view reason;
  const std::string going_away("\x03\xE9going away", 12);
  ASSERT_TRUE(ws::parse_close_payload(going_away, code, reason));
  EXPECT_EQ(code, 1001);
  EXPECT_EQ(reason, "going away");
  EXPECT_EQ(reason.data(), going_away.data() + 2);
  const std::string private_use("\x0F\xA0", 2);  // 4000
  ASSERT_TRUE(ws::parse_close_payload(private_use, code, reason));
  EXPECT_EQ(code, 4000);
  EXPECT_TRUE(reason.empty());
  const std::string registered("\x0B\xB8x", 3);  // 3000
  ASSERT_TRUE(ws::parse_close_payload(registered, code, reason));
  EXPECT_EQ(code, 3000);
  EXPECT_EQ(reason, "x");
}

TEST(WsClosePayload, OneBytePayloadIsInvalid) {
  uint16_t code = 0;
  std::string_view reason;
  EXPECT_FALSE(ws::parse_close_payload(std::string("\x03", 1), code, reason));
}

TEST(WsClosePayload, CodesNotAllowedOnTheWire) {
  for (uint16_t bad : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    const std::string payload{static_cast<char>(bad >> 8), static_cast<char>(bad & 0xFF)};
    uint16_t code = 0;
    std::string_view reason;
    EXPECT_FALSE(ws::parse_close_payload(payload, code, reason)) << bad;
    EXPECT_FALSE(ws::parse_close_payload(payload + "why", code, reason)) << bad;
  }
  for (uint16_t good : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1014, 3000, 4999}) {
    const std::string payload{static_cast<char>(good >> 8), static_cast<char>(good & 0xFF)};
    uint16_t code = 0;
    std::string_view reason;
    EXPECT_TRUE(ws::parse_close_payload(payload, code, reason)) << good;
    EXPECT_EQ(code, good);
  }
}

// ---- protocol errors ----

struct ErrorCase {
  const char* name;
  std::string bytes;
  uint16_t code;
};

void expect_error(const ErrorCase& c, FrameReader::Limits l = limits()) {
  // A good frame before the bad one is delivered; the one after never is.
  FrameReader reader(l);
  RecordingSink sink;
  const std::string stream = frame(kBin, "before") + c.bytes + frame(kBin, "after");
  EXPECT_FALSE(push(reader, stream, sink)) << c.name;
  EXPECT_EQ(sink.error_code, c.code) << c.name;
  EXPECT_EQ(sink.messages, (std::vector<Message>{{MessageKind::kBinary, "before"}})) << c.name;
  // Byte at a time the error is the same.
  FrameReader slow(l);
  RecordingSink slow_sink;
  EXPECT_FALSE(push(slow, stream, slow_sink, 1)) << c.name;
  EXPECT_EQ(slow_sink.error_code, c.code) << c.name;
  EXPECT_EQ(slow_sink.messages, sink.messages) << c.name;
}

FrameSpec spec_with(void (*edit)(FrameSpec&)) {
  FrameSpec s;
  edit(s);
  return s;
}

TEST(WsFrameReaderErrors, UnmaskedFrame) {
  expect_error({"unmasked", frame("payload", spec_with([](FrameSpec& s) { s.masked = false; })), 1002});
}

TEST(WsFrameReaderErrors, RsvBitsSet) {
  for (uint8_t rsv : {1, 2, 4, 7}) {
    FrameSpec s;
    s.rsv = rsv;
    expect_error({"rsv", frame("payload", s), 1002});
  }
}

TEST(WsFrameReaderErrors, ReservedOpcodes) {
  for (uint8_t op : {0x3, 0x7, 0xB, 0xF}) {
    expect_error({"reserved opcode", frame(op, "x"), 1002});
  }
}

TEST(WsFrameReaderErrors, FragmentedControlFrame) {
  for (uint8_t op : {kPing, kPong, kClose}) {
    expect_error({"fragmented control", frame(op, "", false), 1002});
  }
}

TEST(WsFrameReaderErrors, ControlFrameOver125Bytes) {
  for (uint8_t op : {kPing, kPong, kClose}) {
    expect_error({"control > 125", frame(op, pattern(126)), 1002});
  }
}

TEST(WsFrameReaderErrors, ContinuationWithoutStart) {
  expect_error({"lone continuation", frame(kCont, "x"), 1002});
  expect_error({"lone non-final continuation", frame(kCont, "x", false), 1002});
}

TEST(WsFrameReaderErrors, NewDataFrameInsideFragmentedMessage) {
  expect_error({"binary inside", frame(kBin, "a", false) + frame(kBin, "b"), 1002});
  expect_error({"text inside", frame(kText, "a", false) + frame(kText, "b", false), 1002});
}

TEST(WsFrameReaderErrors, NonMinimalLength) {
  FrameSpec s16;
  s16.length_bits = 16;
  expect_error({"16-bit length for 5 bytes", frame("hello", s16), 1002});
  FrameSpec s64;
  s64.length_bits = 64;
  expect_error({"64-bit length for 300 bytes", frame(pattern(300), s64), 1002});
  FrameSpec top;
  top.declared_size = uint64_t{1} << 63;
  expect_error({"64-bit length with the top bit", frame("", top), 1002});
}

TEST(WsFrameReaderErrors, MessageOverMaxMessage) {
  expect_error({"1001 bytes", frame(kBin, pattern(1001)), 1009}, limits(1000));
}

TEST(WsFrameReaderErrors, TooBigIsReportedFromTheHeaderAlone) {
  // Only the header of a 2 MB frame arrives: the reader must not wait for (and buffer)
  // the payload to reject it.
  FrameReader reader(limits(1 << 20));
  RecordingSink sink;
  FrameSpec spec;
  spec.declared_size = 2 << 20;
  const std::string header = frame("", spec);
  ASSERT_EQ(header.size(), 14u);
  EXPECT_FALSE(push(reader, header, sink));
  EXPECT_EQ(sink.error_code, ws::kCloseTooBig);
  EXPECT_TRUE(sink.messages.empty());
  EXPECT_LE(reader.capacity(), 64u * 1024);
}

TEST(WsFrameReaderErrors, FragmentsTogetherOverMaxMessage) {
  expect_error({"600 + 401", frame(kBin, pattern(600), false) + frame(kCont, pattern(401)), 1009}, limits(1000));
  expect_error(
      {"400 x 3", frame(kBin, pattern(400), false) + frame(kCont, pattern(400), false) + frame(kCont, pattern(400)),
       1009},
      limits(1000));
  // The continuation's header alone is enough to know.
  FrameReader reader(limits(1000));
  RecordingSink sink;
  FrameSpec cont;
  cont.opcode = kCont;
  cont.declared_size = 401;
  EXPECT_FALSE(push(reader, frame(kBin, pattern(600), false) + frame("", cont), sink));
  EXPECT_EQ(sink.error_code, ws::kCloseTooBig);
}

TEST(WsFrameReaderErrors, NothingDeliveredAfterAnError) {
  FrameReader reader(limits());
  RecordingSink sink;
  EXPECT_FALSE(push(reader, frame(kBin, "ok") + frame(0x3, "bad"), sink));
  ASSERT_EQ(sink.error_code, ws::kCloseProtocolError);
  // Later reads are refused and deliver nothing (RecordingSink fails on any delivery).
  EXPECT_FALSE(push(reader, frame(kBin, "later"), sink));
  EXPECT_FALSE(reader.feed(frame(kBin, "later"), sink));
  EXPECT_EQ(sink.messages.size(), 1u);
}

TEST(WsFrameReaderErrors, ClientRoleRejectsMaskedFrame) {
  FrameReader reader(client_limits());
  RecordingSink sink;
  const FrameSpec server = server_frame();
  EXPECT_FALSE(push(reader, frame("ok", server) + frame(kBin, "masked") + frame("after", server), sink));
  EXPECT_EQ(sink.error_code, ws::kCloseProtocolError);
  EXPECT_EQ(sink.messages, (std::vector<Message>{{MessageKind::kBinary, "ok"}}));
}

}  // namespace
}  // namespace rmb::relay
