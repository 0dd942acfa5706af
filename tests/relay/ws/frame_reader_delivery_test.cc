// The relay's WebSocket reader (relay/ws/frame_reader.h) fed client frames the way a socket
// would: copy at most read_size() bytes into read_data(), then commit(). What it delivers:
// every kind of message, fragmented or not, however the stream is cut; the client role; a
// sink that stops it.
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

// ---- the client role (bench and test clients read server frames) ----

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

}  // namespace
}  // namespace rmb::relay
