// The relay's WebSocket reader (relay/ws/frame_reader.h): its buffer grows with what
// arrives (not with what a header announces), within its bounds, and shrinks back after a
// run of small reads.
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

// ---- the buffer adapts ----

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
