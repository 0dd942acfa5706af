// Throughput of the Redis mailbox and the federator against real servers on loopback.
// Prints numbers; asserts nothing. Run: build/<dir>/bench/relay/relayfed_bench [N]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "relay/federation/http_federator.h"
#include "relay/mailbox/redis.h"
#include "tests/support/fake_relay.h"
#include "tests/support/mailbox_sink.h"
#include "tests/support/redis_server.h"

using namespace rmb::relay;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

class CountingSink : public MailboxSink {
 public:
  explicit CountingSink(std::atomic<size_t>& n) : n_(n) {}
  bool offer(const Frame&, Written written) override {
    ++n_;
    written();  // as a session does once the frame is on the socket
    return true;
  }

 private:
  std::atomic<size_t>& n_;
};

void bench_redis(size_t n, size_t sessions) {
  auto redis = rmb::test::RedisServer::start().value();
  RedisMailboxOptions opt;
  opt.url = redis->url();
  auto mailbox = std::move(*RedisMailbox::create(opt));
  std::vector<Frame> frames;
  for (size_t i = 0; i < n; ++i) {
    frames.push_back(rmb::test::frame_of(rmb::test::make_envelope("bench-" + std::to_string(i), 1, 2)));
  }
  std::atomic<size_t> done{0}, failed{0};
  auto t0 = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    mailbox->store({static_cast<uint32_t>(100 + i % sessions), std::nullopt}, frames[i], 0, [&](absl::Status s) {
      if (!s.ok()) ++failed;
      ++done;
    });
  }
  const double enqueue = seconds_since(t0);
  while (done < n) std::this_thread::sleep_for(1ms);
  const double stored = seconds_since(t0);
  std::printf(
      "redis store:   %zu envelopes (%zu B) to %zu sessions: caller %.3f s, stored %.3f s = %.0f msg/s, %zu failed\n",
      n, frames[0]->size(), sessions, enqueue, stored, n / stored, failed.load());

  std::atomic<size_t> received{0};
  std::vector<std::shared_ptr<MailboxSink>> sinks;
  auto t1 = Clock::now();
  for (size_t s = 0; s < sessions; ++s) {
    sinks.push_back(std::make_shared<CountingSink>(received));
    mailbox->attach({static_cast<uint32_t>(100 + s), std::nullopt}, sinks.back());
  }
  while (received < n) std::this_thread::sleep_for(1ms);
  const double delivered = seconds_since(t1);
  std::printf("redis deliver: %zu envelopes from %zu streams (XREAD + XDEL): %.3f s = %.0f msg/s\n", n, sessions,
              delivered, n / delivered);

  // Live path: store to an attached session, one at a time (store -> XREAD wake-up -> offer).
  std::atomic<size_t> live{0};
  auto live_sink = std::make_shared<CountingSink>(live);
  mailbox->attach({9999, std::nullopt}, live_sink);
  const size_t rounds = 2000;
  auto t2 = Clock::now();
  for (size_t i = 0; i < rounds; ++i) {
    mailbox->store({9999, std::nullopt}, frames[i % n], 0, [](absl::Status) {});
    while (live < i + 1) std::this_thread::yield();
  }
  const double per = seconds_since(t2) / rounds;
  std::printf("redis live:    store -> delivered to an attached session, sequential: %.0f us per message\n", per * 1e6);
}

void bench_federation(size_t n) {
  rmb::test::FakeRelay remote(202);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread thread([&] { io.run(); });
  Ranker ranker;
  FederationOptions opt;
  opt.scheme = "http";
  std::atomic<size_t> failures{0};
  {
    HttpFederator fed(io, opt, ranker, [&](const rmb::Envelope&, std::string) { ++failures; });
    auto e = rmb::test::make_envelope("fed", 1, 2);
    auto frame = rmb::test::frame_of(e);
    auto t0 = Clock::now();
    for (size_t i = 0; i < n; ++i) fed.forward(frame, e, {remote.domain()});
    while (fed.stats().pending > 0) std::this_thread::sleep_for(1ms);
    const double t = seconds_since(t0);
    std::printf(
        "federation:    %zu posts (%zu B) over keep-alive HTTP, %zu connections: %.3f s = %.0f msg/s, %zu failed\n", n,
        frame->size(), remote.connections(), t, n / t, failures.load());
  }
  work.reset();
  io.stop();
  thread.join();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 50000;
  bench_redis(n, 100);
  bench_federation(n / 5);
  return 0;
}
