#include "relay/federation/redis_federator.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/obs/log.h"
#include "core/redis/redis_conn.h"
#include "core/redis/redis_url.h"

namespace rmb::relay {
namespace {

using SteadyClock = std::chrono::steady_clock;
using core::RedisConn;
using core::RedisReply;

constexpr size_t kMaxAddBatch = 512;        // XADDs pipelined per round trip
constexpr size_t kMaxPendingAcks = 100000;  // kept across an outage, then dropped (a redelivery)
constexpr size_t kReadCount = 100;          // §6.1 XREADGROUP COUNT
constexpr size_t kPendingCount = 200;       // §6.1 XPENDING count
constexpr std::chrono::seconds kForgetEvery{60};
constexpr char kOwnPrefix[] = "relay-cpp-";
constexpr char kNotFound[] = "remote relay rejected permanently: self twin not found!";
constexpr char kNoRelay[] = "remote relay rejected permanently: relay is not set for this twin";

// hiredis writes with write(2): a Redis closing under a write must fail that write, not
// kill the relay (see the mailbox, a799dce).
void block_sigpipe_in_this_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string default_consumer() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof(host), "host");
  std::random_device rd;
  return absl::StrFormat("%s%s-%d-%08x", kOwnPrefix, host, static_cast<int>(getpid()), rd());
}

std::string_view str(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR)
             ? std::string_view(r->str, r->len)
             : std::string_view();
}

bool is_nogroup(const redisReply* r) {
  return r && r->type == REDIS_REPLY_ERROR && str(r).find("NOGROUP") != std::string_view::npos;
}

// [id, [field, value, ...]] -> id and the `msg` value (nullopt if absent).
struct Entry {
  std::string id;
  std::optional<std::string> msg;
};
std::optional<Entry> parse_entry(const redisReply* e) {
  if (!e || e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING) {
    return std::nullopt;
  }
  Entry out{std::string(str(e->element[0])), std::nullopt};
  const redisReply* fields = e->element[1];
  if (fields && fields->type == REDIS_REPLY_ARRAY) {
    for (size_t f = 0; f + 1 < fields->elements; f += 2) {
      if (str(fields->element[f]) == "msg") out.msg = std::string(str(fields->element[f + 1]));
    }
  }
  return out;
}

}  // namespace

struct RedisFederator::Impl : std::enable_shared_from_this<Impl> {
  Impl(RedisFederatorOptions o, core::RedisUrl u, HttpFederator& h, core::TwinDirectory& d, FailureHandler f)
      : opt(std::move(o)), url(std::move(u)), http(h), directory(d), on_failure(std::move(f)) {}

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
  std::atomic<bool> outage_logged{false};

  std::thread writer;
  std::thread reader;

  void fail(const rmb::Envelope& e, const std::string& reason) {
    std::lock_guard lock(failure_mu);
    if (on_failure) on_failure(e, reason);
  }
  void note_down(const absl::Status& s) {
    if (!outage_logged.exchange(true)) {
      core::log_warn("federation queue: redis ", url.display(), " unavailable (", s.message(), "); retrying every ",
                     opt.retry_delay.count(), " ms");
    }
  }
  void note_up() {
    if (outage_logged.exchange(false)) core::log_info("federation queue: redis ", url.display(), " reachable again");
  }

  void dispatch(std::string id, std::string bytes);
  void finish(const std::string& id, bool ack);
  void writer_loop();
  void reader_loop();
  void claim_pass(core::RedisConn& conn);
  void forget_consumers(core::RedisConn& conn);
  absl::Status create_group(core::RedisConn& conn);
};

absl::Status RedisFederator::Impl::create_group(core::RedisConn& conn) {
  auto r = conn.command({"XGROUP", "CREATE", kFederationStream, kFederationGroup, "0", "MKSTREAM"});
  if (!r.ok()) return r.status();
  // BUSYGROUP: another process made it first.
  if ((*r)->type == REDIS_REPLY_ERROR && str(r->get()).find("BUSYGROUP") == std::string_view::npos) {
    core::log_warn("federation queue: XGROUP CREATE failed: ", str(r->get()));
  }
  return absl::OkStatus();
}

void RedisFederator::Impl::finish(const std::string& id, bool ack) {
  {
    std::lock_guard lock(mu);
    in_flight.erase(id);
    if (ack && acks.size() < kMaxPendingAcks) acks.push_back(id);
  }
  wcv.notify_one();
  rcv.notify_one();
}

void RedisFederator::Impl::dispatch(std::string id, std::string bytes) {
  rmb::Envelope envelope;
  if (!envelope.ParseFromString(bytes)) {
    // Permanent (§6.1 step 1), and there is nobody to tell.
    core::log_warn("federation queue: entry ", id, " is not an envelope; dropped");
    finish(id, true);
    return;
  }
  auto frame = std::make_shared<const std::string>(std::move(bytes));
  const uint32_t twin = envelope.destination().twin();
  directory.get_twin(twin, [self = shared_from_this(), id = std::move(id), frame = std::move(frame),
                            envelope = std::move(envelope)](absl::StatusOr<std::optional<core::Twin>> found) mutable {
    if (!found.ok()) {
      core::log_info("federation: twin lookup for ", envelope.uid(), " failed (", found.status().message(),
                     "); left pending");
      self->finish(id, false);
      return;
    }
    if (!found->has_value() || (*found)->relays.empty()) {
      self->fail(envelope, found->has_value() ? kNoRelay : kNotFound);
      self->finish(id, true);
      return;
    }
    std::lock_guard lock(self->mu);
    if (self->stopping) return;  // left pending; `http` may be going away
    self->http.attempt_once(frame, envelope, (*found)->relays, [self, id](AttemptResult result) {
      // kRetry: stays pending, claimed again once idle; kStopped: the same, after a restart.
      self->finish(id, result == AttemptResult::kDone);
    });
  });
}

// ---------------------------------------------------------------------------------------
// Writer: XADD, XACK + XDEL, failure reports, the claim pass, consumer housekeeping.

void RedisFederator::Impl::claim_pass(core::RedisConn& conn) {
  std::vector<std::string> mine;
  size_t room = 0;
  {
    std::lock_guard lock(mu);
    mine.assign(in_flight.begin(), in_flight.end());
    room = opt.concurrency > in_flight.size() ? opt.concurrency - in_flight.size() : 0;
  }
  const std::string idle = std::to_string(opt.claim_idle.count());
  // Heartbeat: what this process is delivering is not idle (another process must not
  // claim it while a slow relay keeps us waiting).
  if (!mine.empty()) {
    std::vector<std::string_view> args = {"XCLAIM", kFederationStream, kFederationGroup, opt.consumer, "0"};
    for (auto& id : mine) args.push_back(id);
    args.push_back("JUSTID");
    conn.append(args);
  }
  conn.append({"XLEN", kFederationStream});
  const std::string count = std::to_string(std::min(kPendingCount, std::max<size_t>(room, 1)));
  conn.append({"XPENDING", kFederationStream, kFederationGroup, "IDLE", idle, "-", "+", count});
  if (!mine.empty()) (void)conn.reply();
  auto len = conn.reply();
  if (len.ok() && (*len)->type == REDIS_REPLY_INTEGER) stream_len = static_cast<uint64_t>((*len)->integer);
  auto pending = conn.reply();
  if (!pending.ok()) return;
  if (is_nogroup(pending->get())) {
    (void)create_group(conn);
    return;
  }
  if ((*pending)->type != REDIS_REPLY_ARRAY || room == 0) return;
  std::vector<std::string> candidates;
  {
    std::lock_guard lock(mu);
    for (size_t i = 0; i < (*pending)->elements && candidates.size() < room; ++i) {
      const redisReply* row = (*pending)->element[i];
      if (row->type != REDIS_REPLY_ARRAY || row->elements < 1) continue;
      std::string id(str(row->element[0]));
      if (!in_flight.count(id)) candidates.push_back(std::move(id));
    }
  }
  if (candidates.empty()) return;
  // XCLAIM checks the idle time again: of two processes claiming the same entry, one wins.
  std::vector<std::string_view> args = {"XCLAIM", kFederationStream, kFederationGroup, opt.consumer, idle};
  for (auto& id : candidates) args.push_back(id);
  auto got = conn.command(args);
  if (!got.ok() || (*got)->type != REDIS_REPLY_ARRAY) return;
  std::vector<Entry> work;
  std::vector<std::string> empty;
  {
    std::lock_guard lock(mu);
    for (size_t i = 0; i < (*got)->elements; ++i) {
      auto entry = parse_entry((*got)->element[i]);
      if (!entry) continue;
      if (!entry->msg) {
        empty.push_back(entry->id);
        continue;
      }
      if (in_flight.insert(entry->id).second) work.push_back(std::move(*entry));
    }
  }
  for (auto& id : empty) finish(id, true);
  claimed += work.size();
  if (!work.empty()) core::log_info("federation queue: claimed ", work.size(), " pending entries for another attempt");
  for (auto& e : work) dispatch(std::move(e.id), std::move(*e.msg));
}

void RedisFederator::Impl::forget_consumers(core::RedisConn& conn) {
  auto r = conn.command({"XINFO", "CONSUMERS", kFederationStream, kFederationGroup});
  if (!r.ok() || (*r)->type != REDIS_REPLY_ARRAY) return;
  const long long forget_ms = static_cast<long long>(opt.forget_consumers.count()) * 1000;
  for (size_t i = 0; i < (*r)->elements; ++i) {
    const redisReply* c = (*r)->element[i];
    if (c->type != REDIS_REPLY_ARRAY) continue;
    std::string name;
    long long pending = -1, idle = -1;
    for (size_t k = 0; k + 1 < c->elements; k += 2) {
      const auto key = str(c->element[k]);
      const redisReply* v = c->element[k + 1];
      if (key == "name") name = std::string(str(v));
      if (key == "pending" && v->type == REDIS_REPLY_INTEGER) pending = v->integer;
      if (key == "idle" && v->type == REDIS_REPLY_INTEGER) idle = v->integer;
    }
    // Only names of this implementation (rmb-rs reuses its relay-<i> names).
    if (name.rfind(kOwnPrefix, 0) != 0 || name == opt.consumer || pending != 0 || idle < forget_ms) continue;
    (void)conn.command({"XGROUP", "DELCONSUMER", kFederationStream, kFederationGroup, name});
    core::log_debug("federation queue: removed idle consumer ", name);
  }
}

void RedisFederator::Impl::writer_loop() {
  block_sigpipe_in_this_thread();
  std::unique_ptr<core::RedisConn> conn;
  auto next_connect = SteadyClock::now();
  auto next_claim = SteadyClock::now();
  auto next_forget = SteadyClock::now() + kForgetEvery;
  while (true) {
    std::vector<Add> batch;
    std::vector<std::string> ack_batch;
    std::deque<Failure> report;
    bool stop = false;
    {
      std::unique_lock lock(mu);
      auto deadline = conn ? next_claim : std::max(next_claim, next_connect);
      wcv.wait_until(lock, deadline, [&] { return stopping || !adds.empty() || !acks.empty() || !failures.empty(); });
      stop = stopping;
      while (!adds.empty() && batch.size() < kMaxAddBatch) {
        add_bytes -= adds.front().frame->size();
        batch.push_back(std::move(adds.front()));
        adds.pop_front();
      }
      ack_batch.swap(acks);
      report.swap(failures);
    }
    for (auto& f : report) fail(f.envelope, f.reason);

    if (!conn && SteadyClock::now() >= next_connect) {
      auto c = core::RedisConn::connect(url, opt.retry_delay);
      if (c.ok()) {
        conn = std::move(*c);
        note_up();
      } else {
        note_down(c.status());
        next_connect = SteadyClock::now() + opt.retry_delay;
      }
    }
    if (!conn) {
      // The sender hears of it now rather than never (§5.5 "redis error: ...").
      for (auto& a : batch) fail(a.envelope, absl::StrCat("redis error: ", url.display(), " unavailable"));
      std::lock_guard lock(mu);
      for (auto& id : ack_batch) {
        if (acks.size() < kMaxPendingAcks) acks.push_back(std::move(id));
      }
      if (stop) return;
      continue;
    }

    for (auto& a : batch) conn->append({"XADD", kFederationStream, "*", "msg", *a.frame});
    for (auto& id : ack_batch) {
      conn->append({"XACK", kFederationStream, kFederationGroup, id});
      conn->append({"XDEL", kFederationStream, id});  // unlike rmb-rs: the stream stays small
    }
    absl::Status broken;
    for (auto& a : batch) {
      auto r = broken.ok() ? conn->reply() : absl::StatusOr<core::RedisReply>(broken);
      if (!r.ok()) broken = r.status();
      absl::Status s = r.ok() ? core::reply_status(r->get()) : r.status();
      if (!s.ok()) {
        core::log_warn("federation queue: XADD of ", a.envelope.uid(), " failed: ", s.message());
        fail(a.envelope, s.message().rfind("redis error", 0) == 0 ? std::string(s.message())
                                                                  : absl::StrCat("redis error: ", s.message()));
      }
    }
    for (size_t i = 0; i < 2 * ack_batch.size() && broken.ok(); ++i) {
      auto r = conn->reply();
      if (!r.ok()) broken = r.status();
    }
    if (!broken.ok()) {
      std::lock_guard lock(mu);
      for (auto& id : ack_batch) {
        if (acks.size() < kMaxPendingAcks) acks.push_back(std::move(id));  // a lost ack means a retry
      }
    }
    if (broken.ok() && !stop && SteadyClock::now() >= next_claim) {
      claim_pass(*conn);
      next_claim = SteadyClock::now() + opt.claim_every;
      if (SteadyClock::now() >= next_forget) {
        forget_consumers(*conn);
        next_forget = SteadyClock::now() + kForgetEvery;
      }
    }
    if (!broken.ok()) {
      note_down(broken);
      conn.reset();
      next_connect = SteadyClock::now() + opt.retry_delay;
    }
    if (stop) {
      std::lock_guard lock(mu);
      if (adds.empty()) return;  // else one more round: what was accepted gets its XADD
    }
  }
}

// ---------------------------------------------------------------------------------------
// Reader: XREADGROUP of new entries while this process has room.

void RedisFederator::Impl::reader_loop() {
  block_sigpipe_in_this_thread();
  std::unique_ptr<core::RedisConn> conn;
  auto sleep_retry = [&] {
    std::unique_lock lock(mu);
    rcv.wait_for(lock, opt.retry_delay, [&] { return stopping; });
  };
  const std::string block = std::to_string(opt.block.count());
  while (true) {
    size_t room = 0;
    {
      std::unique_lock lock(mu);
      rcv.wait(lock, [&] { return stopping || in_flight.size() < opt.concurrency; });
      if (stopping) break;
      room = opt.concurrency - in_flight.size();
    }
    if (!conn) {
      auto c = core::RedisConn::connect(url, opt.retry_delay);
      if (!c.ok()) {
        note_down(c.status());
        sleep_retry();
        continue;
      }
      (*c)->set_timeout(opt.block + std::chrono::milliseconds(5000));
      std::lock_guard lock(mu);
      if (stopping) break;
      conn = std::move(*c);
      reader_fd = conn->fd();
    }
    const std::string count = std::to_string(std::min(kReadCount, room));
    auto r = conn->command({"XREADGROUP", "GROUP", kFederationGroup, opt.consumer, "COUNT", count, "BLOCK", block,
                            "STREAMS", kFederationStream, ">"});
    if (!r.ok()) {
      {
        std::lock_guard lock(mu);
        reader_fd = -1;
        conn.reset();
        if (stopping) break;
      }
      note_down(r.status());
      sleep_retry();
      continue;
    }
    const redisReply* reply = r->get();
    if (is_nogroup(reply)) {
      (void)create_group(*conn);
      continue;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      core::log_warn("federation queue: XREADGROUP failed: ", str(reply));
      sleep_retry();
      continue;
    }
    if (reply->type != REDIS_REPLY_ARRAY) continue;  // BLOCK timed out
    std::vector<Entry> work;
    std::vector<std::string> empty;
    {
      std::lock_guard lock(mu);
      for (size_t s = 0; s < reply->elements; ++s) {
        const redisReply* stream = reply->element[s];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) continue;
        const redisReply* entries = stream->element[1];
        for (size_t e = 0; entries->type == REDIS_REPLY_ARRAY && e < entries->elements; ++e) {
          auto entry = parse_entry(entries->element[e]);
          if (!entry) continue;
          if (!entry->msg) {
            empty.push_back(entry->id);
          } else if (in_flight.insert(entry->id).second) {
            work.push_back(std::move(*entry));
          }
        }
      }
    }
    for (auto& id : empty) finish(id, true);
    for (auto& e : work) dispatch(std::move(e.id), std::move(*e.msg));
  }
  std::lock_guard lock(mu);
  reader_fd = -1;
  conn.reset();
}

// ---------------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<RedisFederator>> RedisFederator::create(RedisFederatorOptions options,
                                                                       HttpFederator& http,
                                                                       core::TwinDirectory& directory,
                                                                       FailureHandler on_failure) {
  auto url = core::parse_redis_url(options.url);
  if (!url.ok()) return url.status();
  if (options.consumer.empty()) options.consumer = default_consumer();
  options.concurrency = std::max<size_t>(options.concurrency, 1);
  auto impl = std::make_shared<Impl>(std::move(options), *url, http, directory, std::move(on_failure));
  Impl* raw = impl.get();
  raw->writer = std::thread([raw] { raw->writer_loop(); });
  raw->reader = std::thread([raw] { raw->reader_loop(); });
  core::log_info("federation queue: redis stream ", kFederationStream, ", group ", kFederationGroup, ", consumer ",
                 raw->opt.consumer);
  return std::unique_ptr<RedisFederator>(new RedisFederator(std::move(impl)));
}

RedisFederator::RedisFederator(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisFederator::~RedisFederator() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    // A blocked XREADGROUP returns at once when its socket is shut down.
    if (impl_->reader_fd >= 0) ::shutdown(impl_->reader_fd, SHUT_RDWR);
  }
  impl_->rcv.notify_all();
  impl_->wcv.notify_all();
  impl_->reader.join();
  impl_->writer.join();
  std::lock_guard lock(impl_->failure_mu);
  impl_->on_failure = nullptr;  // callbacks still running elsewhere report nothing now
}

void RedisFederator::forward(Frame frame, rmb::Envelope envelope, std::set<std::string> /*domains*/) {
  // The domains are looked up again when the entry is delivered (the stream holds only the
  // envelope, as in rmb-rs, and any process may deliver it).
  const size_t size = frame->size();
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    const auto& o = impl_->opt;
    if (impl_->adds.size() >= o.max_queued || impl_->add_bytes + size > o.max_queued_bytes ||
        impl_->stream_len.load() >= o.max_stream_entries) {
      ++impl_->refused;
      core::log_warn("drop federation_queue_full: uid=", envelope.uid(), " (", impl_->adds.size(), " envelopes / ",
                     impl_->add_bytes, " bytes waiting, stream ", impl_->stream_len.load(), " entries)");
      if (impl_->failures.size() < o.max_queued) {
        impl_->failures.push_back({std::move(envelope), kFederationQueueFull});
      }
    } else {
      impl_->add_bytes += size;
      impl_->adds.push_back({std::move(frame), std::move(envelope)});
    }
  }
  impl_->wcv.notify_one();
}

const std::string& RedisFederator::consumer() const { return impl_->opt.consumer; }

RedisFederatorStats RedisFederator::stats() const {
  RedisFederatorStats s;
  {
    std::lock_guard lock(impl_->mu);
    s.queued = impl_->adds.size();
    s.in_flight = impl_->in_flight.size();
  }
  s.stream_len = impl_->stream_len.load();
  s.refused = impl_->refused.load();
  s.claimed = impl_->claimed.load();
  return s;
}

}  // namespace rmb::relay
