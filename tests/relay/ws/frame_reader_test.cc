// The relay's WebSocket reader (relay/ws/frame_reader.h) fed client frames the way a socket
// would: copy at most read_size() bytes into read_data(), then commit(). Frames are built
// here byte by byte (RFC 6455 §5.2), including the encodings a client must not send.
#include "relay/ws/frame_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace rmb::relay {
namespace {

using ws::FrameReader;
using ws::MessageKind;

struct Message {
  MessageKind kind;
  std::string payload;
  bool operator==(const Message&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Message& m) {
  return os << "{kind " << static_cast<int>(m.kind) << ", " << m.payload.size() << " bytes}";
}

// Records what the reader delivers and fails the test on any delivery after an error or
// after the sink asked to stop.
class RecordingSink : public ws::ReaderSink {
 public:
  // on_message returns false for the message with this 1-based number.
  size_t stop_at = std::numeric_limits<size_t>::max();

  bool on_message(MessageKind kind, std::string_view payload) override {
    EXPECT_FALSE(errored()) << "message delivered after on_error";
    EXPECT_FALSE(stopped_) << "message delivered after the sink returned false";
    messages.push_back({kind, std::string(payload)});
    if (messages.size() == stop_at) stopped_ = true;
    return !stopped_;
  }
  void on_error(uint16_t close_code, std::string_view reason) override {
    EXPECT_FALSE(errored()) << "second on_error";
    EXPECT_FALSE(stopped_) << "on_error after the sink returned false";
    EXPECT_FALSE(reason.empty());
    error_code = close_code;
    error_reason = std::string(reason);
  }

  bool errored() const { return error_code != 0; }

  std::vector<Message> messages;
  uint16_t error_code = 0;
  std::string error_reason;

 private:
  bool stopped_ = false;
};

// How to build one client frame; the defaults make a conforming final binary frame.
struct FrameSpec {
  uint8_t opcode = 0x2;
  bool fin = true;
  uint8_t rsv = 0;  // bits 2..0 = RSV1..RSV3
  bool masked = true;
  unsigned length_bits = 0;  // 0: shortest form; 7, 16 or 64: that form whatever the size
  uint64_t declared_size = std::numeric_limits<uint64_t>::max();  // max: the payload's size
  std::array<unsigned char, 4> mask = {0x3C, 0xA5, 0x0F, 0x96};
};

std::string frame(std::string_view payload, const FrameSpec& spec = {}) {
  const uint64_t size =
      spec.declared_size == std::numeric_limits<uint64_t>::max() ? payload.size() : spec.declared_size;
  std::string out;
  out.push_back(static_cast<char>((spec.fin ? 0x80 : 0) | (spec.rsv << 4) | spec.opcode));
  unsigned bits = spec.length_bits;
  if (bits == 0) bits = size < 126 ? 7 : size <= 0xFFFF ? 16 : 64;
  const char mask_bit = spec.masked ? static_cast<char>(0x80) : 0;
  if (bits == 7) {
    out.push_back(static_cast<char>(mask_bit | static_cast<char>(size)));
  } else if (bits == 16) {
    out.push_back(static_cast<char>(mask_bit | 126));
    for (int i = 1; i >= 0; --i) out.push_back(static_cast<char>(size >> (8 * i)));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(size >> (8 * i)));
  }
  if (!spec.masked) return out.append(payload);
  out.append(reinterpret_cast<const char*>(spec.mask.data()), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(payload[i] ^ static_cast<char>(spec.mask[i % 4])));
  }
  return out;
}

std::string frame(uint8_t opcode, std::string_view payload, bool fin = true) {
  FrameSpec spec;
  spec.opcode = opcode;
  spec.fin = fin;
  return frame(payload, spec);
}

constexpr uint8_t kCont = 0x0, kText = 0x1, kBin = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;

// A payload whose bytes depend on position and seed, so misplaced bytes show.
std::string pattern(size_t size, unsigned seed = 1) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + seed * 17 + (i >> 8)) & 0xFF);
  return s;
}

// Socket-like: each "read" copies at most read_size() bytes (and at most `chunk`) into
// read_data() and commits them. Returns commit()'s last result.
bool push(FrameReader& reader, std::string_view bytes, ws::ReaderSink& sink,
          size_t chunk = std::numeric_limits<size_t>::max()) {
  while (!bytes.empty()) {
    unsigned char* const into = reader.read_data();
    const size_t n = std::min({chunk, bytes.size(), reader.read_size()});
    EXPECT_GT(n, 0u);
    std::memcpy(into, bytes.data(), n);
    bytes.remove_prefix(n);
    if (!reader.commit(n, sink)) return false;
  }
  return true;
}

FrameReader::Limits limits(size_t max_message = 1 << 20, size_t min_buffer = 2048, size_t max_buffer = 64 * 1024) {
  FrameReader::Limits l;
  l.max_message = max_message;
  l.min_buffer = min_buffer;
  l.max_buffer = max_buffer;
  return l;
}

// ---- delivery ----

TEST(WsFrameReader, SingleBinaryMessage) {
  FrameReader reader(limits());
  RecordingSink sink;
  ASSERT_TRUE(push(reader, frame(kBin, "hello relay"), sink));
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0], (Message{MessageKind::kBinary, "hello relay"}));
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_FALSE(sink.errored());
}

TEST(WsFrameReader, Rfc6455MaskedHello) {
  // §5.7: "A single-frame masked text message".
  const unsigned char bytes[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  FrameReader reader(limits());
  RecordingSink sink;
  ASSERT_TRUE(push(reader, std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes), sink));
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0], (Message{MessageKind::kText, "Hello"}));
}

TEST(WsFrameReader, EmptyPayloads) {
  FrameReader reader(limits());
  RecordingSink sink;
  ASSERT_TRUE(push(reader, frame(kBin, "") + frame(kPing, "") + frame(kText, ""), sink));
  EXPECT_EQ(sink.messages,
            (std::vector<Message>{{MessageKind::kBinary, ""}, {MessageKind::kPing, ""}, {MessageKind::kText, ""}}));
}

TEST(WsFrameReader, ManyFramesInOneCommit) {
  FrameReader reader(limits());
  RecordingSink sink;
  std::string stream;
  std::vector<Message> expected;
  for (unsigned i = 0; i < 40; ++i) {
    const std::string payload = pattern(i, i);
    stream += frame(kBin, payload);
    expected.push_back({MessageKind::kBinary, payload});
  }
  ASSERT_LE(stream.size(), reader.read_size());  // so one read carries them all
  std::memcpy(reader.read_data(), stream.data(), stream.size());
  ASSERT_TRUE(reader.commit(stream.size(), sink));
  EXPECT_EQ(sink.messages, expected);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(WsFrameReader, TextMessageKind) {
  FrameReader reader(limits());
  RecordingSink sink;
  ASSERT_TRUE(push(reader, frame(kText, "{\"ver\":1}") + frame(kBin, "\x01\x02"), sink));
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[0], (Message{MessageKind::kText, "{\"ver\":1}"}));
  EXPECT_EQ(sink.messages[1].kind, MessageKind::kBinary);
}

TEST(WsFrameReader, ControlFramesKeepTheirKind) {
  FrameReader reader(limits());
  RecordingSink sink;
  const std::string close_payload = std::string("\x03\xE8", 2) + "bye";
  ASSERT_TRUE(push(reader, frame(kPing, "p1") + frame(kPong, "p2") + frame(kClose, close_payload), sink));
  EXPECT_EQ(sink.messages,
            (std::vector<Message>{
                {MessageKind::kPing, "p1"}, {MessageKind::kPong, "p2"}, {MessageKind::kClose, close_payload}}));
}

TEST(WsFrameReader, ControlPayloadOfExactly125Bytes) {
  FrameReader reader(limits());
  RecordingSink sink;
  ASSERT_TRUE(push(reader, frame(kPing, pattern(125)), sink));
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].payload, pattern(125));
}

TEST(WsFrameReader, FragmentedBinaryWithInterleavedPing) {
  FrameReader reader(limits());
  RecordingSink sink;
  const std::string stream = frame(kBin, "frag-1|", false) + frame(kPing, "are you there") +
                             frame(kCont, "frag-2|", false) + frame(kPong, "") + frame(kCont, "", false) +
                             frame(kCont, "frag-3") + frame(kBin, "after");
  ASSERT_TRUE(push(reader, stream, sink));
  EXPECT_EQ(sink.messages, (std::vector<Message>{{MessageKind::kPing, "are you there"},
                                                 {MessageKind::kPong, ""},
                                                 {MessageKind::kBinary, "frag-1|frag-2|frag-3"},
                                                 {MessageKind::kBinary, "after"}}));
}

TEST(WsFrameReader, FragmentedTextKeepsTextKind) {
  FrameReader reader(limits());
  RecordingSink sink;
  ASSERT_TRUE(push(reader, frame(kText, "ab", false) + frame(kCont, "cd"), sink));
  EXPECT_EQ(sink.messages, (std::vector<Message>{{MessageKind::kText, "abcd"}}));
}

TEST(WsFrameReader, EveryLengthEncoding) {
  FrameReader reader(limits());
  RecordingSink sink;
  const std::string small = pattern(125, 1), medium = pattern(126, 2), large = pattern(65536, 3);
  ASSERT_TRUE(push(reader, frame(kBin, small) + frame(kBin, medium) + frame(kBin, large), sink));
  EXPECT_EQ(sink.messages,
            (std::vector<Message>{
                {MessageKind::kBinary, small}, {MessageKind::kBinary, medium}, {MessageKind::kBinary, large}}));
}

// A mix of everything the reader handles; a stream cut anywhere must give the same result.
std::string mixed_stream(std::vector<Message>& expected) {
  std::string s;
  auto add = [&](MessageKind kind, const std::string& payload, const std::string& bytes) {
    s += bytes;
    expected.push_back({kind, payload});
  };
  add(MessageKind::kBinary, pattern(10, 1), frame(kBin, pattern(10, 1)));
  add(MessageKind::kText, "text message", frame(kText, "text message"));
  add(MessageKind::kPing, pattern(125, 2), frame(kPing, pattern(125, 2)));
  add(MessageKind::kBinary, pattern(300, 3), frame(kBin, pattern(300, 3)));  // 16-bit length
  // Fragmented around a pong.
  s += frame(kBin, pattern(50, 4), false);
  add(MessageKind::kPong, "", frame(kPong, ""));
  s += frame(kCont, pattern(130, 5), false);
  add(MessageKind::kBinary, pattern(50, 4) + pattern(130, 5) + "end", frame(kCont, "end"));
  add(MessageKind::kBinary, "", frame(kBin, ""));
  add(MessageKind::kBinary, pattern(2100, 6), frame(kBin, pattern(2100, 6)));  // > min_buffer
  for (unsigned i = 0; i < 20; ++i) add(MessageKind::kBinary, pattern(i * 7, i), frame(kBin, pattern(i * 7, i)));
  add(MessageKind::kClose, std::string("\x03\xE8", 2), frame(kClose, std::string("\x03\xE8", 2)));
  return s;
}

TEST(WsFrameReader, AnyChunkingGivesTheSameMessages) {
  std::vector<Message> expected;
  const std::string stream = mixed_stream(expected);
  for (size_t chunk = 1; chunk <= 300; ++chunk) {
    FrameReader reader(limits());
    RecordingSink sink;
    ASSERT_TRUE(push(reader, stream, sink, chunk)) << "chunk " << chunk;
    ASSERT_EQ(sink.messages, expected) << "chunk " << chunk;
    EXPECT_EQ(reader.buffered(), 0u);
  }
  for (size_t chunk : {511u, 1000u, 2047u, 2048u, 2049u, 4096u, 100000u}) {
    FrameReader reader(limits());
    RecordingSink sink;
    ASSERT_TRUE(push(reader, stream, sink, chunk)) << "chunk " << chunk;
    ASSERT_EQ(sink.messages, expected) << "chunk " << chunk;
  }
}

TEST(WsFrameReader, FeedBeforeUpgradeThenReads) {
  // feed() takes bytes that came with the upgrade request, in any amount.
  std::vector<Message> expected;
  const std::string stream = mixed_stream(expected);
  for (size_t split : {0u, 1u, 7u, 2500u, 3000u}) {
    FrameReader reader(limits());
    RecordingSink sink;
    ASSERT_TRUE(reader.feed(std::string_view(stream).substr(0, split), sink));
    ASSERT_TRUE(push(reader, std::string_view(stream).substr(split), sink, 333));
    EXPECT_EQ(sink.messages, expected) << "split " << split;
  }
}

TEST(WsFrameReader, FrameLargerThanMinBuffer) {
  FrameReader reader(limits());
  RecordingSink sink;
  const std::string payload = pattern(5000);
  ASSERT_TRUE(push(reader, frame(kBin, payload), sink));
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].payload, payload);
  EXPECT_LE(reader.capacity(), 64u * 1024);
}

TEST(WsFrameReader, FrameLargerThanMaxBufferGrowsToFit) {
  FrameReader reader(limits(1 << 20, 2048, 8192));
  RecordingSink sink;
  const std::string payload = pattern(200000, 9);
  const std::string bytes = frame(kBin, payload) + frame(kBin, "next");
  // Stop one byte short of the big frame: it is all buffered, in one piece.
  const size_t big = bytes.size() - frame(kBin, "next").size();
  ASSERT_TRUE(push(reader, std::string_view(bytes).substr(0, big - 1), sink));
  EXPECT_TRUE(sink.messages.empty());
  EXPECT_GE(reader.capacity(), big);
  EXPECT_EQ(reader.buffered(), big - 1);
  ASSERT_TRUE(push(reader, std::string_view(bytes).substr(big - 1), sink));
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[0].payload, payload);
  EXPECT_EQ(sink.messages[1].payload, "next");
}

TEST(WsFrameReader, MessageOfExactlyMaxMessage) {
  FrameReader reader(limits(1000));
  RecordingSink sink;
  ASSERT_TRUE(
      push(reader, frame(kBin, pattern(1000)) + frame(kBin, pattern(400), false) + frame(kCont, pattern(600)), sink));
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[0].payload, pattern(1000));
  EXPECT_EQ(sink.messages[1].payload, pattern(400) + pattern(600));
  EXPECT_FALSE(sink.errored());
}

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

TEST(WsFrameReader, ALargeFrameGrowsTheBufferAsItArrivesNotFromItsHeader) {
  // A client announcing a 1 MiB frame (within the limit) and sending only its header
  // must not make the relay allocate the megabyte up front.
  FrameReader reader(limits(1 << 20));
  RecordingSink sink;
  const std::string whole = frame(pattern(1 << 19));
  EXPECT_TRUE(push(reader, std::string_view(whole).substr(0, 14), sink));
  EXPECT_LE(reader.capacity(), 64u * 1024);
  EXPECT_TRUE(push(reader, std::string_view(whole).substr(14), sink));
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].payload, pattern(1 << 19));
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

// ---- the client role (bench and test clients read server frames) ----

FrameReader::Limits client_limits() {
  FrameReader::Limits l = limits();
  l.masked = false;
  return l;
}

FrameSpec server_frame() {
  FrameSpec spec;
  spec.masked = false;
  return spec;
}

TEST(WsFrameReader, ClientRoleReadsUnmaskedServerFrames) {
  FrameReader reader(client_limits());
  RecordingSink sink;
  const FrameSpec server = server_frame();
  const std::string big = pattern(70000, 4);
  ASSERT_TRUE(push(reader, frame("from the relay", server) + frame(big, server), sink, 1000));
  EXPECT_EQ(sink.messages,
            (std::vector<Message>{{MessageKind::kBinary, "from the relay"}, {MessageKind::kBinary, big}}));
  // §5.7 unmasked "Hello".
  const unsigned char hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
  ASSERT_TRUE(push(reader, std::string_view(reinterpret_cast<const char*>(hello), sizeof hello), sink));
  EXPECT_EQ(sink.messages.back(), (Message{MessageKind::kText, "Hello"}));
}

TEST(WsFrameReaderErrors, ClientRoleRejectsMaskedFrame) {
  FrameReader reader(client_limits());
  RecordingSink sink;
  const FrameSpec server = server_frame();
  EXPECT_FALSE(push(reader, frame("ok", server) + frame(kBin, "masked") + frame("after", server), sink));
  EXPECT_EQ(sink.error_code, ws::kCloseProtocolError);
  EXPECT_EQ(sink.messages, (std::vector<Message>{{MessageKind::kBinary, "ok"}}));
}

// ---- the sink stops ----

TEST(WsFrameReader, SinkReturningFalseStopsDelivery) {
  FrameReader reader(limits());
  RecordingSink sink;
  sink.stop_at = 2;
  const std::string stream = frame(kBin, "one") + frame(kPing, "two") + frame(kBin, "three") + frame(kBin, "four");
  std::memcpy(reader.read_data(), stream.data(), stream.size());
  EXPECT_FALSE(reader.commit(stream.size(), sink));
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[1], (Message{MessageKind::kPing, "two"}));
  // The reader stays stopped.
  const std::string more = frame(kBin, "five");
  std::memcpy(reader.read_data(), more.data(), more.size());
  EXPECT_FALSE(reader.commit(more.size(), sink));
  EXPECT_EQ(sink.messages.size(), 2u);
  EXPECT_FALSE(sink.errored());
}

TEST(WsFrameReader, SinkStoppingOnAReassembledMessage) {
  FrameReader reader(limits());
  RecordingSink sink;
  sink.stop_at = 1;
  EXPECT_FALSE(push(reader, frame(kBin, "a", false) + frame(kCont, "b") + frame(kBin, "c"), sink));
  EXPECT_EQ(sink.messages, (std::vector<Message>{{MessageKind::kBinary, "ab"}}));
}

// ---- the buffer adapts ----

TEST(WsFrameReader, BufferGrowsWhileReadsFillItAndShrinksAfterSmallReads) {
  const size_t min_buffer = 2048, max_buffer = 64 * 1024;
  FrameReader reader(limits(1 << 20, min_buffer, max_buffer));
  RecordingSink sink;
  EXPECT_EQ(reader.read_size(), min_buffer);
  EXPECT_EQ(reader.capacity(), min_buffer);

  // A client with a backlog: every read fills all the room there is.
  std::string backlog;
  size_t count = 0;
  while (backlog.size() < 600 * 1024) {
    backlog += frame(kBin, pattern(100 + count % 50, static_cast<unsigned>(count)));
    ++count;
  }
  std::string_view rest = backlog;
  size_t last_capacity = reader.capacity();
  bool grew = false;
  while (!rest.empty()) {
    unsigned char* const into = reader.read_data();
    const size_t n = std::min(rest.size(), reader.read_size());
    std::memcpy(into, rest.data(), n);
    rest.remove_prefix(n);
    ASSERT_TRUE(reader.commit(n, sink));
    EXPECT_GE(reader.capacity(), last_capacity) << "shrank during a backlog";
    EXPECT_LE(reader.capacity(), max_buffer);
    grew = grew || reader.capacity() > last_capacity;
    last_capacity = reader.capacity();
    // What stays buffered is a partial frame, never a complete one.
    EXPECT_LT(reader.buffered(), 150u + ws::kMaxClientFrameHeader);
  }
  EXPECT_TRUE(grew);
  EXPECT_EQ(reader.capacity(), max_buffer);
  EXPECT_EQ(reader.buffered(), 0u);
  ASSERT_EQ(sink.messages.size(), count);
  EXPECT_EQ(sink.messages.back().payload, pattern(100 + (count - 1) % 50, static_cast<unsigned>(count - 1)));

  // Then the client goes quiet: one small message per read. One small read must not
  // undo the growth (a burst would pay for it again); a run of them does.
  const std::string ping = frame(kPing, "keepalive");
  ASSERT_TRUE(push(reader, ping, sink));
  EXPECT_EQ(reader.capacity(), max_buffer);
  size_t small_reads = 1;
  while (reader.capacity() != min_buffer && small_reads < 1000) {
    ASSERT_TRUE(push(reader, ping, sink));
    EXPECT_EQ(reader.buffered(), 0u);
    ++small_reads;
  }
  EXPECT_EQ(reader.capacity(), min_buffer);
  EXPECT_LE(small_reads, 64u);
  EXPECT_EQ(reader.read_size(), min_buffer);
  ASSERT_EQ(sink.messages.size(), count + small_reads);
}

TEST(WsFrameReader, PartialFrameStaysBuffered) {
  FrameReader reader(limits());
  RecordingSink sink;
  const std::string bytes = frame(kBin, pattern(500));
  ASSERT_TRUE(push(reader, std::string_view(bytes).substr(0, 3), sink));
  EXPECT_EQ(reader.buffered(), 3u);
  ASSERT_TRUE(push(reader, std::string_view(bytes).substr(3, 300), sink));
  EXPECT_EQ(reader.buffered(), 303u);
  EXPECT_TRUE(sink.messages.empty());
  ASSERT_TRUE(push(reader, std::string_view(bytes).substr(303), sink));
  EXPECT_EQ(reader.buffered(), 0u);
  ASSERT_EQ(sink.messages.size(), 1u);
}

TEST(WsFrameReader, BigFrameBufferShrinksBackAfterSmallReads) {
  const size_t min_buffer = 2048, max_buffer = 16 * 1024;
  FrameReader reader(limits(1 << 20, min_buffer, max_buffer));
  RecordingSink sink;
  ASSERT_TRUE(push(reader, frame(kBin, pattern(100000)), sink));
  EXPECT_GE(reader.capacity(), 100000u);
  size_t small_reads = 0;
  while (reader.capacity() > max_buffer && small_reads < 1000) {
    ASSERT_TRUE(push(reader, frame(kBin, "tiny"), sink));
    ++small_reads;
  }
  EXPECT_LE(reader.capacity(), max_buffer);
  EXPECT_LE(small_reads, 64u);
  EXPECT_EQ(sink.messages.size(), 1 + small_reads);
}

}  // namespace
}  // namespace rmb::relay
