#include "relay/federation/http_federator.h"

#include <utility>  // before asio's awaitable.hpp (Boost 1.74 uses std::exchange unqualified-included)

#include <deque>
#include <mutex>
#include <random>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/obs/log.h"
#include "core/obs/log_throttle.h"
#include "core/util/clock.h"
#include "relay/federation/http_post.h"

namespace rmb::relay {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

struct Job {
  Frame frame;
  rmb::Envelope envelope;
  std::set<std::string> domains;
};

// Seconds until the envelope expires (≤ 0: expired), §5.8.
int64_t ttl_left(const rmb::Envelope& e) {
  const int64_t deadline = static_cast<int64_t>(e.timestamp()) + static_cast<int64_t>(e.expiration());
  return deadline - static_cast<int64_t>(rmb::core::unix_now());
}

}  // namespace

struct HttpFederator::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, FederationOptions opt, Ranker& ranker, FailureHandler on_failure)
      : strand(asio::make_strand(io)),
        options(std::move(opt)),
        ranker(ranker),
        on_failure(std::move(on_failure)),
        client(strand, options),
        rng(std::random_device{}()) {}

  asio::strand<asio::io_context::executor_type> strand;
  const FederationOptions options;
  Ranker& ranker;

  // Failure reports stop when the federator is destroyed.
  std::mutex failure_mu;
  FailureHandler on_failure;

  mutable std::mutex stats_mu;
  FederationStats stats;
  std::atomic<size_t> pending{0};
  std::atomic<size_t> pending_bytes{0};

  void release(const Job& job) {
    --pending;
    pending_bytes -= job.frame->size();
  }

  // --- strand only ---
  FederationClient client;
  std::deque<Job> queue;
  size_t active = 0;
  bool stopped = false;
  std::set<asio::steady_timer*> retry_timers;
  std::mt19937 rng;

  void fail(const rmb::Envelope& e, const std::string& reason) {
    std::lock_guard lock(failure_mu);
    if (on_failure) on_failure(e, reason);
  }
  void count(const std::string& domain, bool ok) {
    std::lock_guard lock(stats_mu);
    auto& c = stats.per_relay[domain];
    (ok ? c.success : c.error)++;
  }
  milliseconds jitter(int base, int spread) {
    return milliseconds(base + std::uniform_int_distribution<int>(0, spread)(rng));
  }

  void pump() {
    while (!stopped && active < options.concurrency && !queue.empty()) {
      Job job = std::move(queue.front());
      queue.pop_front();
      ++active;
      asio::co_spawn(strand, run(shared_from_this(), std::move(job)), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          core::log_error("federation: job failed: ", ex.what());
        }
      });
    }
  }

  // One delivery attempt: up to 3 passes over the ranked domains.
  asio::awaitable<AttemptResult> attempt(Job& job) {
    if (ttl_left(job.envelope) <= 0) {
      {
        std::lock_guard lock(stats_mu);
        ++stats.expired;
      }
      fail(job.envelope, kFederationExpired);
      co_return AttemptResult::kDone;
    }
    const auto order = ranker.reorder(job.domains);
    asio::steady_timer sleep(strand);
    for (int pass = 0; pass < 3; ++pass) {
      if (pass > 0) {
        sleep.expires_after(pass == 1 ? jitter(100, 50) : jitter(200, 100));
        boost::system::error_code ec;
        co_await sleep.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopped) co_return AttemptResult::kStopped;
      }
      for (const auto& domain : order) {
        PostOutcome out = co_await client.post(domain, *job.frame);
        if (stopped) co_return AttemptResult::kStopped;
        switch (out.result) {
          case PostResult::kAccepted:
            count(domain, true);
            core::log_debug("federation: ", job.envelope.uid(), " accepted by ", domain);
            co_return AttemptResult::kDone;
          case PostResult::kRejected:
            count(domain, false);
            {
              std::lock_guard lock(stats_mu);
              ++stats.rejected;
            }
            core::log_info("federation: ", domain, " rejected ", job.envelope.uid(), " (", out.detail, ")");
            fail(job.envelope, kFederationRejected);
            co_return AttemptResult::kDone;
          case PostResult::kFailed:
            count(domain, false);
            ranker.downvote(domain);
            core::log_debug("federation: post of ", job.envelope.uid(), " to ", domain, " failed: ", out.detail);
            break;
        }
      }
    }
    co_return AttemptResult::kRetry;
  }

  static asio::awaitable<void> run(std::shared_ptr<Impl> self, Job job) {
    const bool retry = co_await self->attempt(job) == AttemptResult::kRetry;
    --self->active;
    self->pump();
    if (!retry || self->stopped) {
      self->release(job);
      co_return;
    }
    // Transient: try again in 3-5 s (rmb-rs re-claims pending entries about that often),
    // or as soon as the envelope expires if that comes first, so the sender hears of it.
    auto delay = milliseconds(std::uniform_int_distribution<int64_t>(
        self->options.retry_min.count(),
        std::max(self->options.retry_min, self->options.retry_max).count())(self->rng));
    const int64_t left = ttl_left(job.envelope);
    delay = std::min(delay, milliseconds(std::max<int64_t>(left, 0) * 1000 + 100));
    core::log_info("federation: no relay of ", job.envelope.uid(), " answered; retrying in ", delay.count(), " ms");
    asio::steady_timer timer(self->strand);
    timer.expires_after(delay);
    self->retry_timers.insert(&timer);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    self->retry_timers.erase(&timer);
    if (self->stopped) {
      self->release(job);
      co_return;
    }
    if (ttl_left(job.envelope) <= 0) {
      {
        std::lock_guard lock(self->stats_mu);
        ++self->stats.expired;
      }
      self->fail(job.envelope, kFederationExpired);
      self->release(job);
      co_return;
    }
    self->queue.push_back(std::move(job));
    self->pump();
  }
};

HttpFederator::HttpFederator(asio::io_context& io, FederationOptions options, Ranker& ranker, FailureHandler on_failure)
    : impl_(std::make_shared<Impl>(io, std::move(options), ranker, std::move(on_failure))) {}

HttpFederator::~HttpFederator() {
  {
    std::lock_guard lock(impl_->failure_mu);
    impl_->on_failure = nullptr;
  }
  // Running jobs hold the Impl; stopping them is done on the strand.
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    impl->queue.clear();
    for (auto* t : impl->retry_timers) t->cancel();
    impl->client.close_idle();
  });
}

void HttpFederator::forward(Frame frame, rmb::Envelope envelope, std::set<std::string> domains) {
  const size_t size = frame->size();
  const size_t bytes = impl_->pending_bytes.fetch_add(size);
  if (impl_->pending.fetch_add(1) >= impl_->options.queue_limit || bytes + size > impl_->options.queue_bytes) {
    --impl_->pending;
    impl_->pending_bytes -= size;
    {
      std::lock_guard lock(impl_->stats_mu);
      ++impl_->stats.queue_overflows;
    }
    static core::LogThrottle throttle;
    throttle.warn("drop federation_queue_full: uid=", envelope.uid(), " (--federation-queue ",
                  impl_->options.queue_limit, " envelopes / --federation-queue-bytes ", impl_->options.queue_bytes,
                  " bytes)");
    // Reported from the strand, never from inside forward() (the caller may hold locks).
    asio::post(impl_->strand, [impl = impl_, e = std::move(envelope)] { impl->fail(e, kFederationQueueFull); });
    return;
  }
  asio::post(impl_->strand,
             [impl = impl_, job = Job{std::move(frame), std::move(envelope), std::move(domains)}]() mutable {
               if (impl->stopped) {
                 impl->release(job);
                 return;
               }
               impl->queue.push_back(std::move(job));
               impl->pump();
             });
}

void HttpFederator::attempt_once(Frame frame, rmb::Envelope envelope, std::set<std::string> domains,
                                 std::function<void(AttemptResult)> done) {
  auto job = std::make_shared<Job>(Job{std::move(frame), std::move(envelope), std::move(domains)});
  auto body = [](std::shared_ptr<Impl> impl, std::shared_ptr<Job> job) -> asio::awaitable<AttemptResult> {
    if (impl->stopped) co_return AttemptResult::kStopped;
    co_return co_await impl->attempt(*job);
  };
  asio::co_spawn(impl_->strand, body(impl_, std::move(job)),
                 [done = std::move(done)](std::exception_ptr e, AttemptResult result) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       core::log_error("federation: attempt failed: ", ex.what());
                     }
                     result = AttemptResult::kRetry;
                   }
                   done(result);
                 });
}

FederationStats HttpFederator::stats() const {
  std::lock_guard lock(impl_->stats_mu);
  FederationStats s = impl_->stats;
  s.pending = impl_->pending.load();
  return s;
}

}  // namespace rmb::relay
