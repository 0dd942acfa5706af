#include "gateway/engine/service_table.h"

#include <gtest/gtest.h>

namespace rmb::gateway {
namespace {

class Sink : public RequestSink {
 public:
  bool offer(const IncomingRequest&) override { return true; }
};

TEST(ServiceTable, RoundRobinOverTheSinksOfACommandThenTheFallback) {
  ServiceTable table;
  auto a = std::make_shared<Sink>();
  auto b = std::make_shared<Sink>();
  auto fallback = std::make_shared<Sink>();
  table.add("calc.add", a);
  table.add("calc.add", b);
  table.add("calc.add", a);  // already there
  table.set_fallback(fallback);

  auto first = table.candidates("calc.add");
  ASSERT_EQ(first.sinks.size(), 3u);
  EXPECT_TRUE(first.has_service);
  auto second = table.candidates("calc.add");
  EXPECT_NE(first.sinks[0], second.sinks[0]);
  EXPECT_EQ(first.sinks[0], second.sinks[1]);
  EXPECT_EQ(first.sinks[2], fallback);
  EXPECT_EQ(table.candidates("calc.add").sinks[0], first.sinks[0]);

  auto other = table.candidates("other");
  EXPECT_FALSE(other.has_service);
  ASSERT_EQ(other.sinks.size(), 1u);
  EXPECT_EQ(other.sinks[0], fallback);
}

TEST(ServiceTable, RemovingTheLastSinkLeavesOnlyTheFallback) {
  ServiceTable table;
  auto a = std::make_shared<Sink>();
  table.add("x", a);
  table.remove("x", a.get());
  table.remove("x", a.get());
  table.remove("never", a.get());
  auto c = table.candidates("x");
  EXPECT_FALSE(c.has_service);
  EXPECT_TRUE(c.sinks.empty());
  table.add("x", nullptr);
  EXPECT_TRUE(table.candidates("x").sinks.empty());
}

}  // namespace
}  // namespace rmb::gateway
