#include "bench/relay/latency.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/relay/envelopes.h"
#include "bench/relay/nats_client.h"
#include "bench/relay/ws_client.h"
#include "rmb/types.pb.h"

namespace rmb::bench {
namespace {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// What a latency scenario plugs into the driver: connect, fire one request, and report
// each reply through `reply` (true = the reply was of the expected kind).
struct RoundTrip {
  std::function<void(std::function<void(const std::string&)>)> connect;
  std::function<void()> fire;
  std::function<void()> close;
  std::function<void(bool)> reply;  // set by the driver
  uint64_t anomalies = 0;
};

using Ready = std::function<void(const std::string&)>;

// For a scenario's two clients: `ready` runs once, with the first error, or with "" once both
// reported success.
Ready both_ready(Ready ready) {
  auto left = std::make_shared<int>(2);
  auto failed = std::make_shared<bool>(false);
  return [ready = std::move(ready), left, failed](const std::string& error) {
    if (*failed) return;
    if (!error.empty()) {
      *failed = true;
      return ready(error);
    }
    if (--*left == 0) ready("");
  };
}

double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t idx = std::min(sorted.size() - 1, static_cast<size_t>(q * (sorted.size() - 1) + 0.5));
  return sorted[idx];
}

LatencyResult drive(asio::io_context& ioc, RoundTrip& rt, const LatencyConfig& config) {
  std::vector<double> samples;
  samples.reserve(1 << 20);
  bool measuring = false;
  bool running = false;
  bool outstanding = false;
  uint64_t replies = 0;
  Clock::time_point sent_at;
  auto fire = [&] {
    outstanding = true;
    sent_at = Clock::now();
    rt.fire();
  };
  rt.reply = [&](bool ok) {
    const auto now = Clock::now();
    if (!ok) ++rt.anomalies;
    outstanding = false;
    ++replies;
    if (measuring && samples.size() < samples.capacity()) {
      samples.push_back(std::chrono::duration<double, std::micro>(now - sent_at).count());
    }
    if (running) fire();
  };
  MeasureHooks hooks;
  hooks.setup = rt.connect;
  hooks.start = [&] {
    running = true;
    fire();
  };
  hooks.count = [&] { return replies; };
  hooks.on_mark = [&](bool on) { measuring = on; };
  hooks.halt = [&] { running = false; };
  hooks.drained = [&] { return !outstanding; };
  hooks.stop = [&] {
    running = false;
    measuring = false;
    rt.close();
  };
  Measured m = run_measured(ioc, config.timing, hooks);
  LatencyResult r;
  r.error = m.error;
  r.anomalies = rt.anomalies;
  r.samples = samples.size();
  if (!samples.empty()) {
    r.mean_us = std::accumulate(samples.begin(), samples.end(), 0.0) / samples.size();
    std::sort(samples.begin(), samples.end());
    r.p50_us = percentile(samples, 0.50);
    r.p99_us = percentile(samples, 0.99);
  }
  rt.reply = nullptr;
  return r;
}

bool is_pong(std::string_view bytes) {
  rmb::Envelope env;
  return env.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && env.has_pong();
}

}  // namespace

LatencyResult run_rmb_ping_latency(const Fixture& fixture, size_t client, uint16_t relay_port,
                                   const LatencyConfig& config) {
  asio::io_context ioc(1);
  auto ws = WsClient::create(ioc);
  const std::string ping = ping_envelope(fixture.identity(client), config.payload);
  const std::string token = fixture.token(client);
  RoundTrip rt;
  bool closing = false;
  bool checked = false;
  rt.connect = [&](std::function<void(const std::string&)> ready) {
    ws->connect(relay_port, token, [&, ready](ErrorCode ec) {
      if (ec) return ready(absl::StrCat("upgrade: ", ec.message()));
      ws->read_messages(
          [&](std::string_view bytes, bool binary) {
            // Parsing every pong would add client time to the sample; the first one
            // proves the relay answers pings with pongs, later ones are size-checked.
            bool ok = binary;
            if (!checked) {
              ok = ok && is_pong(bytes);
              checked = true;
            }
            if (rt.reply) rt.reply(ok);
          },
          [&](ErrorCode) {
            if (!closing) ++rt.anomalies;
          });
      ready("");
    });
  };
  rt.fire = [&] { ws->send(ping); };
  rt.close = [&] {
    closing = true;
    ws->close();
  };
  return drive(ioc, rt, config);
}

LatencyResult run_rmb_echo_latency(const Fixture& fixture, size_t client, size_t responder, uint16_t relay_port,
                                   const LatencyConfig& config) {
  asio::io_context ioc(1);
  auto requester = WsClient::create(ioc);
  auto answerer = WsClient::create(ioc);
  const Identity& a = fixture.identity(client);
  const Identity& b = fixture.identity(responder);
  const std::string request = signed_request(a, b.twin, config.payload);
  const std::string response = signed_response(b, a.twin, config.payload);
  const std::string token_a = fixture.token(client);
  const std::string token_b = fixture.token(responder);
  RoundTrip rt;
  bool closing = false;
  rt.connect = [&](std::function<void(const std::string&)> ready) {
    auto one = both_ready(std::move(ready));
    answerer->connect(relay_port, token_b, [&, one](ErrorCode ec) {
      if (ec) return one(absl::StrCat("responder upgrade: ", ec.message()));
      answerer->read_messages(
          [&](std::string_view bytes, bool binary) {
            if (!binary || bytes.size() != request.size()) ++rt.anomalies;
            answerer->send(response);
          },
          [&](ErrorCode) {
            if (!closing) ++rt.anomalies;
          });
      one("");
    });
    requester->connect(relay_port, token_a, [&, one](ErrorCode ec) {
      if (ec) return one(absl::StrCat("requester upgrade: ", ec.message()));
      requester->read_messages(
          [&](std::string_view bytes, bool binary) {
            if (rt.reply) rt.reply(binary && bytes.size() == response.size());
          },
          [&](ErrorCode) {
            if (!closing) ++rt.anomalies;
          });
      one("");
    });
  };
  rt.fire = [&] { requester->send(request); };
  rt.close = [&] {
    closing = true;
    requester->close();
    answerer->close();
  };
  return drive(ioc, rt, config);
}

LatencyResult run_nats_request_latency(uint16_t nats_port, const LatencyConfig& config) {
  asio::io_context ioc(1);
  auto requester = NatsClient::create(ioc);
  auto answerer = NatsClient::create(ioc);
  const std::string payload(config.payload, 'q');
  const std::string reply_payload(config.payload, 'r');
  constexpr std::string_view kSubject = "bench.latency.req";
  constexpr std::string_view kInbox = "_INBOX.bench.latency";
  RoundTrip rt;
  bool closing = false;
  rt.connect = [&](std::function<void(const std::string&)> ready) {
    auto one = both_ready(std::move(ready));
    auto ended = [&](ErrorCode) {
      if (!closing) ++rt.anomalies;
    };
    answerer->on_end(ended);
    requester->on_end(ended);
    answerer->on_message([&](const NatsClient::Message& m) {
      if (m.payload.size() != payload.size() || m.reply.empty()) ++rt.anomalies;
      answerer->publish(m.reply, {}, reply_payload);
    });
    requester->on_message([&](const NatsClient::Message& m) {
      if (rt.reply) rt.reply(m.payload.size() == reply_payload.size());
    });
    // Each side's SUB is registered once the PONG to the PING after it arrives.
    answerer->connect(nats_port, [&, one](ErrorCode ec) {
      if (ec) return one(absl::StrCat("responder: ", ec.message()));
      answerer->on_pong([&, one] {
        answerer->on_pong(nullptr);
        one("");
      });
      answerer->subscribe(kSubject, "1");
      answerer->ping();
    });
    requester->connect(nats_port, [&, one](ErrorCode ec) {
      if (ec) return one(absl::StrCat("requester: ", ec.message()));
      requester->on_pong([&, one] {
        requester->on_pong(nullptr);
        one("");
      });
      requester->subscribe(kInbox, "1");
      requester->ping();
    });
  };
  rt.fire = [&] { requester->publish(kSubject, kInbox, payload); };
  rt.close = [&] {
    closing = true;
    requester->close();
    answerer->close();
  };
  return drive(ioc, rt, config);
}

LatencyResult run_nats_ping_latency(uint16_t nats_port, const LatencyConfig& config) {
  asio::io_context ioc(1);
  auto client = NatsClient::create(ioc);
  RoundTrip rt;
  bool closing = false;
  rt.connect = [&](std::function<void(const std::string&)> ready) {
    client->on_end([&](ErrorCode) {
      if (!closing) ++rt.anomalies;
    });
    client->connect(nats_port, [&, ready](ErrorCode ec) {
      if (ec) return ready(absl::StrCat("connect: ", ec.message()));
      client->on_pong([&] {
        if (rt.reply) rt.reply(true);
      });
      ready("");
    });
  };
  rt.fire = [&] { client->ping(); };
  rt.close = [&] {
    closing = true;
    client->on_pong(nullptr);
    client->close();
  };
  return drive(ioc, rt, config);
}

}  // namespace rmb::bench
