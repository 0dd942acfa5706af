#pragma once
// Inside RedisFederator (relay/federation/redis_federator.h): the state its two threads and
// the delivery callbacks share. Entry dispatch and the public calls are in
// redis_federator.cc, the writer thread in redis_federator_writer.cc, the reader in
// redis_federator_reader.cc.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/redis/reconnecting_conn.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"
#include "relay/federation/redis_federator.h"

namespace rmb::relay::redis_federation {

inline constexpr size_t kMaxAddBatch = 512;        // XADDs pipelined per round trip
inline constexpr size_t kMaxPendingAcks = 100000;  // kept across an outage, then dropped (a redelivery)
inline constexpr size_t kReadCount = 100;          // §6.1 XREADGROUP COUNT
inline constexpr size_t kPendingCount = 200;       // §6.1 XPENDING count
inline constexpr std::chrono::seconds kForgetEvery{60};
inline constexpr char kOwnPrefix[] = "relay-cpp-";
inline constexpr char kNotFound[] = "remote relay rejected permanently: self twin not found!";
inline constexpr char kNoRelay[] = "remote relay rejected permanently: relay is not set for this twin";

// The text of a string, status or error reply; empty for any other.
inline std::string_view str(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR)
             ? std::string_view(r->str, r->len)
             : std::string_view();
}

inline bool is_nogroup(const redisReply* r) {
  return r && r->type == REDIS_REPLY_ERROR && str(r).find("NOGROUP") != std::string_view::npos;
}

// [id, [field, value, ...]] -> id and the `msg` value (nullopt if absent).
struct Entry {
  std::string id;
  std::optional<std::string> msg;
};
std::optional<Entry> parse_entry(const redisReply* e);

}  // namespace rmb::relay::redis_federation

namespace rmb::relay {

struct RedisFederator::Impl : std::enable_shared_from_this<Impl> {
  Impl(RedisFederatorOptions o, core::RedisUrl u, HttpFederator& h, core::TwinDirectory& d, FailureHandler f);

  const RedisFederatorOptions opt;
  const core::RedisUrl url;
  HttpFederator& http;
  core::TwinDirectory& directory;

  struct Add {
    Frame frame;
    rmb::Envelope envelope;
  };
  struct Failure {
    rmb::Envelope envelope;
    std::string reason;
  };

  mutable std::mutex mu;
  std::condition_variable wcv;  // writer: adds, acks, failures, stop
  std::condition_variable rcv;  // reader: room, stop
  std::deque<Add> adds;
  size_t add_bytes = 0;
  std::deque<Failure> failures;  // reported by the writer thread, never inside forward()
  std::vector<std::string> acks;
  std::set<std::string> in_flight;
  bool stopping = false;
  int reader_fd = -1;

  std::mutex failure_mu;
  FailureHandler on_failure;

  std::atomic<uint64_t> stream_len{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> claimed{0};
  // One outage log for both connections: "reachable again" once both are back.
  core::RedisOutageLog outages;
  core::ReconnectingRedis writer_link;  // writer thread only
  core::ReconnectingRedis reader_link;  // reader thread only, closed under mu

  std::thread writer;
  std::thread reader;

  void fail(const rmb::Envelope& e, const std::string& reason) {
    std::lock_guard lock(failure_mu);
    if (on_failure) on_failure(e, reason);
  }
  void dispatch(std::string id, std::string bytes);
  void finish(const std::string& id, bool ack);
  void writer_loop();
  void reader_loop();
  void claim_pass(core::RedisConn& conn);
  void forget_consumers(core::RedisConn& conn);
  absl::Status create_group(core::RedisConn& conn);
};

}  // namespace rmb::relay
