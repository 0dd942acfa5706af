#include "relay/route_view.h"

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "relay/envelopes.h"

namespace rmb::relay {
namespace {

// The view says what the parsed envelope says (the router's reading of it).
void expect_same(const RouteView& view, const rmb::Envelope& env, const std::string& what) {
  ASSERT_EQ(view.source.has_value(), env.has_source()) << what;
  if (view.source) {
    EXPECT_EQ(view.source->twin, env.source().twin()) << what;
    ASSERT_EQ(view.source->connection.has_value(), env.source().has_connection()) << what;
    if (view.source->connection) {
      EXPECT_EQ(*view.source->connection, env.source().connection()) << what;
    }
    EXPECT_TRUE(view.source_is(session_of(env.source()))) << what;
  }
  EXPECT_EQ(view.destination_session(), session_of(env.destination())) << what;
  EXPECT_EQ(view.message, env.message_case()) << what;
}

std::string random_ascii(std::mt19937& rng, size_t max) {
  std::string s(rng() % (max + 1), ' ');
  for (char& c : s) c = static_cast<char>(rng() % 128);
  return s;
}

// Envelopes of every shape the senders write: each field present or not, every message
// and payload case.
rmb::Envelope random_envelope(std::mt19937& rng) {
  rmb::Envelope env;
  auto maybe = [&rng] { return rng() % 2 == 0; };
  if (maybe()) env.set_uid(random_ascii(rng, 40));
  if (maybe()) env.set_tags(random_ascii(rng, 10));
  if (maybe()) env.set_timestamp(rng() % 2 ? rng() : UINT64_MAX - rng());
  if (maybe()) env.set_expiration(rng());
  auto address = [&](rmb::Address* a) {
    if (maybe()) a->set_twin(rng() % 3 == 0 ? UINT32_MAX : rng() % 100000);
    if (maybe()) a->set_connection(random_ascii(rng, 40));
  };
  if (maybe()) address(env.mutable_source());
  if (maybe()) address(env.mutable_destination());
  switch (rng() % 6) {
    case 0:
      env.mutable_request()->set_command(random_ascii(rng, 20));
      break;
    case 1:
      env.mutable_response();
      break;
    case 2:
      env.mutable_error()->set_code(rng());
      env.mutable_error()->set_message(random_ascii(rng, 20));
      break;
    case 3:
      env.mutable_ping();
      break;
    case 4:
      env.mutable_pong();
      break;
    default:
      break;
  }
  if (maybe()) env.set_signature(std::string(64, static_cast<char>(rng())));
  if (maybe()) env.set_schema(random_ascii(rng, 20));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // still on the wire (field 11)
  if (maybe()) env.set_federation(random_ascii(rng, 20));
#pragma GCC diagnostic pop
  if (rng() % 3 == 0) env.set_plain(std::string(rng() % 300, static_cast<char>(rng())));
  if (rng() % 3 == 1) env.set_cipher(std::string(rng() % 300, static_cast<char>(rng())));
  for (unsigned i = rng() % 3; i > 0; --i) env.add_relays(random_ascii(rng, 20));
  return env;
}

TEST(RouteView, ReadsWhatTheSendersWrite) {
  std::mt19937 rng(1);
  for (int i = 0; i < 5000; ++i) {
    const rmb::Envelope env = random_envelope(rng);
    const std::string bytes = env.SerializeAsString();
    const auto view = read_route_view(bytes);
    ASSERT_TRUE(view.has_value()) << env.DebugString();
    expect_same(*view, env, env.DebugString());
    // The view the router takes of an envelope it had to parse says the same.
    expect_same(route_view_of(env), env, "route_view_of: " + env.DebugString());
  }
}

TEST(RouteView, SourceIsKeepsAbsentAndEmptyConnectionApart) {
  rmb::Envelope env;
  env.mutable_source()->set_twin(7);
  env.mutable_source()->set_connection("");
  const auto view = read_route_view(env.SerializeAsString());
  ASSERT_TRUE(view.has_value());
  EXPECT_TRUE(view->source_is(SessionId{7, std::string()}));
  EXPECT_FALSE(view->source_is(SessionId{7, std::nullopt}));
  EXPECT_FALSE(view->source_is(SessionId{8, std::string()}));
  rmb::Envelope none;
  const auto no_source = read_route_view(none.SerializeAsString());
  ASSERT_TRUE(no_source.has_value());
  EXPECT_FALSE(no_source->source_is(SessionId{0, std::nullopt}));
}

// Valid envelopes outside the plain shape get no view; the router parses them fully.
TEST(RouteView, LeavesUnusualEnvelopesToProtobuf) {
  rmb::Envelope a;
  a.set_uid("a");
  a.mutable_destination()->set_twin(1);
  rmb::Envelope b;
  b.mutable_destination()->set_connection("c");
  const std::string merged = a.SerializeAsString() + b.SerializeAsString();  // destination twice: merged
  rmb::Envelope env;
  ASSERT_TRUE(env.ParseFromString(merged));
  EXPECT_FALSE(read_route_view(merged).has_value());

  rmb::Envelope utf8;
  utf8.set_uid("caf\xc3\xa9");
  ASSERT_TRUE(env.ParseFromString(utf8.SerializeAsString()));
  EXPECT_FALSE(read_route_view(utf8.SerializeAsString()).has_value());

  const std::string unknown_field("\xa0\x06\x01", 3);  // field 100, varint 1
  ASSERT_TRUE(env.ParseFromString(unknown_field));
  EXPECT_FALSE(read_route_view(unknown_field).has_value());

  const std::string overlong_twin("\x32\x03\x08\x87\x00", 5);  // destination {twin 7 in two bytes}
  ASSERT_TRUE(env.ParseFromString(overlong_twin));
  EXPECT_FALSE(read_route_view(overlong_twin).has_value());
}

TEST(RouteView, NoViewOfWhatProtobufRefuses) {
  google::protobuf::LogSilencer quiet;
  const std::string bad_utf8("\x0a\x02\xc3\x28", 4);  // uid: invalid UTF-8
  const std::string truncated("\x0a\x05u", 3);
  const std::string field_zero("\x00\x01", 2);
  for (const std::string& bytes : {bad_utf8, truncated, field_zero}) {
    rmb::Envelope env;
    EXPECT_FALSE(env.ParseFromString(bytes));
    EXPECT_FALSE(read_route_view(bytes).has_value());
  }
}

// The promise the router relies on: a view only of bytes protobuf parses, with the same
// values. Checked on envelopes damaged at random (bytes changed, inserted, removed, cut).
TEST(RouteView, MutatedEnvelopesNeverDisagreeWithProtobuf) {
  google::protobuf::LogSilencer quiet;  // protobuf logs every invalid UTF-8 string it refuses
  std::mt19937 rng(2);
  size_t views = 0;
  size_t invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = random_envelope(rng).SerializeAsString();
    for (unsigned m = 1 + rng() % 3; m > 0 && !bytes.empty(); --m) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng()));
          break;
        case 2:
          bytes.erase(at, 1);
          break;
        default:
          bytes.resize(at);
          break;
      }
    }
    rmb::Envelope env;
    const bool parses = env.ParseFromString(bytes);
    if (!parses) ++invalid;
    const auto view = read_route_view(bytes);
    if (!view) continue;
    ++views;
    ASSERT_TRUE(parses) << "view of bytes protobuf refuses, case " << i;
    expect_same(*view, env, "case " + std::to_string(i));
  }
  // Both sides of the promise were exercised.
  EXPECT_GT(views, 1000u);
  EXPECT_GT(invalid, 1000u);
}

}  // namespace
}  // namespace rmb::relay
