#include "bench/relay/idle_memory.h"

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/relay/nats_client.h"
#include "bench/relay/proc_stats.h"
#include "bench/relay/ws_client.h"

namespace rmb::bench {
namespace {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// How to open connection k; calls `done` with "" once it is established (and keeps it
// open), or with an error text.
using Opener = std::function<void(size_t k, std::function<void(const std::string&)> done)>;

IdleResult drive(asio::io_context& ioc, pid_t server_pid, const IdleConfig& config, const Opener& open,
                 const std::function<size_t()>& count_open, const std::function<void()>& close_all) {
  IdleResult r;
  asio::steady_timer timer(ioc);
  size_t next = 0, in_progress = 0, completed = 0;
  bool measured = false;
  Clock::time_point started;

  auto measure_and_close = [&] {
    if (measured) return;
    measured = true;
    timer.cancel();
    r.connect_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    timer.expires_after(config.settle);
    timer.async_wait([&](ErrorCode) {
      r.open_at_measure = count_open();
      auto after = read_rss_kib(server_pid);
      if (!after.ok()) {
        r.error = std::string(after.status().message());
      } else {
        r.rss_after_kib = *after;
        if (r.open_at_measure > 0) {
          r.per_connection_kib = (static_cast<double>(r.rss_after_kib) - static_cast<double>(r.rss_before_kib)) /
                                 static_cast<double>(r.open_at_measure);
        }
      }
      close_all();
    });
  };

  std::function<void()> launch = [&] {
    while (!measured && in_progress < config.concurrency && next < config.connections) {
      ++in_progress;
      open(next++, [&](const std::string& error) {
        --in_progress;
        ++completed;
        if (error.empty()) {
          ++r.established;
        } else {
          if (r.failed++ == 0) r.first_failure = error;
        }
        if (completed == config.connections) return measure_and_close();
        launch();
      });
    }
  };

  timer.expires_after(config.settle);
  timer.async_wait([&](ErrorCode ec) {
    if (ec) return;
    auto before = read_rss_kib(server_pid);
    if (!before.ok()) {
      r.error = std::string(before.status().message());
      measured = true;
      return;
    }
    r.rss_before_kib = *before;
    started = Clock::now();
    timer.expires_after(config.deadline);
    timer.async_wait([&](ErrorCode ec) {
      if (ec) return;
      r.error = absl::StrCat("only ", r.established, " of ", config.connections, " connections within ",
                             config.deadline.count(), " s");
      measure_and_close();
    });
    if (config.connections == 0) return measure_and_close();
    launch();
  });
  ioc.run_for(config.settle * 3 + config.deadline + std::chrono::seconds(10));
  if (!ioc.stopped()) {
    // run_for returned with work left: a teardown hang. Close what is left and go on.
    close_all();
    ioc.restart();
    ioc.run_for(std::chrono::seconds(2));
  }
  return r;
}

}  // namespace

IdleResult run_relay_idle(const Fixture& fixture, size_t first_identity, uint16_t port, pid_t server_pid,
                          const IdleConfig& config) {
  if (fixture.size() < first_identity + config.connections) {
    IdleResult r;
    r.error = "not enough identities for the idle connections";
    return r;
  }
  // Tokens are minted before the clock starts: the client's signing is not measured.
  std::vector<std::string> tokens;
  tokens.reserve(config.connections);
  for (size_t k = 0; k < config.connections; ++k) tokens.push_back(fixture.token(first_identity + k));

  asio::io_context ioc(1);
  std::vector<std::shared_ptr<WsClient>> clients;
  clients.reserve(config.connections);
  size_t open_now = 0;
  bool closing = false;
  Opener open = [&](size_t k, std::function<void(const std::string&)> done) {
    auto c = WsClient::create(ioc);
    clients.push_back(c);
    c->connect(port, std::move(tokens[k]), [&, c, done](ErrorCode ec) {
      if (ec) return done(ec.message());
      ++open_now;
      c->read_messages([](std::string_view, bool) {},
                       [&](ErrorCode) {
                         if (!closing) --open_now;
                       });
      done("");
    });
  };
  IdleResult r = drive(
      ioc, server_pid, config, open, [&] { return open_now; },
      [&] {
        closing = true;
        for (auto& c : clients) c->close();
      });
  return r;
}

IdleResult run_nats_idle(uint16_t port, pid_t server_pid, const IdleConfig& config) {
  asio::io_context ioc(1);
  std::vector<std::shared_ptr<NatsClient>> clients;
  clients.reserve(config.connections);
  size_t open_now = 0;
  bool closing = false;
  Opener open = [&](size_t, std::function<void(const std::string&)> done) {
    auto c = NatsClient::create(ioc);
    c->set_read_chunk(4096);
    clients.push_back(c);
    c->connect(port, [&, c, done](ErrorCode ec) {
      if (ec) return done(absl::StrCat(ec.message(), " ", c->server_error()));
      ++open_now;
      c->on_end([&](ErrorCode) {
        if (!closing) --open_now;
      });
      done("");
    });
  };
  IdleResult r = drive(
      ioc, server_pid, config, open, [&] { return open_now; },
      [&] {
        closing = true;
        for (auto& c : clients) c->close();
      });
  return r;
}

}  // namespace rmb::bench
