#include "relay/federation/redis_federator.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/obs/log.h"
#include "relay/federation/redis_federator_impl.h"

namespace rmb::relay {
namespace redis_federation {

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

}  // namespace redis_federation

using redis_federation::kMaxPendingAcks;
using redis_federation::kNoRelay;
using redis_federation::kNotFound;
using redis_federation::kOwnPrefix;
using redis_federation::str;

namespace {

std::string default_consumer() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof(host), "host");
  std::random_device rd;
  return absl::StrFormat("%s%s-%d-%08x", kOwnPrefix, host, static_cast<int>(getpid()), rd());
}

}  // namespace

RedisFederator::Impl::Impl(RedisFederatorOptions o, core::RedisUrl u, HttpFederator& h, core::TwinDirectory& d,
                           FailureHandler f)
    : opt(std::move(o)),
      url(std::move(u)),
      http(h),
      directory(d),
      on_failure(std::move(f)),
      outages(absl::StrCat("federation queue: redis ", url.display()),
              absl::StrCat("retrying every ", opt.retry_delay.count(), " ms")),
      // Same delay between every attempt, which the outage line states.
      writer_link(url, "writer", opt.retry_delay, {opt.retry_delay, opt.retry_delay}, outages),
      reader_link(url, "reader", opt.retry_delay, {opt.retry_delay, opt.retry_delay}, outages,
                  [this](core::RedisConn& conn) {
                    // The socket must outlast the server-side BLOCK.
                    conn.set_timeout(opt.block + std::chrono::milliseconds(5000));
                    return absl::OkStatus();
                  }) {}

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
