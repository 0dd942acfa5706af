#include "bench/relay/throughput.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/relay/envelopes.h"
#include "bench/relay/nats_client.h"
#include "bench/relay/pair_link.h"
#include "bench/relay/proc_stats.h"
#include "bench/relay/ws_client.h"

namespace rmb::bench {
namespace {

using ErrorCode = boost::system::error_code;
namespace asio = boost::asio;

// Calls `done` with "" after `n` successes, or with the first error.
std::function<void(const std::string&)> join(size_t n, std::function<void(const std::string&)> done) {
  auto left = std::make_shared<size_t>(n);
  auto fired = std::make_shared<bool>(false);
  return [left, fired, done = std::move(done)](const std::string& error) {
    if (*fired) return;
    if (!error.empty() || --*left == 0) {
      *fired = true;
      done(error);
    }
  };
}

class RmbPair final : public PairLink {
 public:
  RmbPair(asio::io_context& ioc, uint16_t port, std::string sender_token, std::string receiver_token,
          std::string envelope)
      : port_(port),
        sender_token_(std::move(sender_token)),
        receiver_token_(std::move(receiver_token)),
        envelope_(std::move(envelope)),
        sender_(WsClient::create(ioc)),
        receiver_(WsClient::create(ioc)) {}

  void connect(std::function<void(const std::string&)> ready) override {
    auto both = join(2, std::move(ready));
    receiver_->connect(port_, receiver_token_, [this, both](ErrorCode ec) {
      if (ec) return both(absl::StrCat("receiver upgrade: ", ec.message()));
      receiver_->read_messages(
          [this](std::string_view bytes, bool binary) {
            // The relay must deliver the sender's bytes unchanged (PROTOCOL.md §5.2).
            if (!binary || bytes != envelope_) ++anomalies_;
            if (on_delivery) on_delivery();
          },
          [this](ErrorCode) {
            if (!closing_) ++anomalies_;
          });
      both("");
    });
    sender_->connect(port_, sender_token_, [this, both](ErrorCode ec) {
      if (ec) return both(absl::StrCat("sender upgrade: ", ec.message()));
      sender_->start_raw_mode([this](ErrorCode) {
        if (!closing_) ++anomalies_;
      });
      both("");
    });
  }
  void send(size_t copies) override { sender_->send_raw_frames(envelope_, copies); }
  void close() override {
    closing_ = true;
    sender_->close();
    receiver_->close();
  }
  uint64_t anomalies() const override { return anomalies_ + sender_->raw_bytes_received(); }

 private:
  uint16_t port_;
  std::string sender_token_, receiver_token_, envelope_;
  std::shared_ptr<WsClient> sender_, receiver_;
  uint64_t anomalies_ = 0;
  bool closing_ = false;
};

class NatsPair final : public PairLink {
 public:
  NatsPair(asio::io_context& ioc, uint16_t port, size_t index, size_t payload, size_t window)
      : port_(port),
        subject_(absl::StrCat("bench.pair.", index)),
        payload_size_(payload),
        publisher_(NatsClient::create(ioc)),
        subscriber_(NatsClient::create(ioc)) {
    // The window's worth of PUBs, built once; send(n) writes a prefix of it.
    std::string body(payload, 'x');
    const std::string one = absl::StrCat("PUB ", subject_, " ", payload, "\r\n", body, "\r\n");
    pub_size_ = one.size();
    for (size_t i = 0; i < window; ++i) pubs_ += one;
  }

  void connect(std::function<void(const std::string&)> ready) override {
    auto both = join(2, std::move(ready));
    subscriber_->on_message([this](const NatsClient::Message& m) {
      if (m.payload.size() != payload_size_ || m.subject != subject_) ++anomalies_;
      if (on_delivery) on_delivery();
    });
    subscriber_->on_end([this](ErrorCode) {
      if (!closing_) ++anomalies_;
    });
    subscriber_->connect(port_, [this, both](ErrorCode ec) {
      if (ec) return both(absl::StrCat("subscriber: ", ec.message(), " ", subscriber_->server_error()));
      // The PONG to this PING proves the server has registered the SUB.
      subscriber_->on_pong([both] { both(""); });
      subscriber_->subscribe(subject_, "1");
      subscriber_->ping();
    });
    publisher_->on_message([this](const NatsClient::Message&) { ++anomalies_; });
    publisher_->on_end([this](ErrorCode) {
      if (!closing_) ++anomalies_;
    });
    publisher_->connect(port_, [this, both](ErrorCode ec) {
      if (ec) return both(absl::StrCat("publisher: ", ec.message(), " ", publisher_->server_error()));
      both("");
    });
  }
  void send(size_t copies) override { publisher_->send_raw(std::string_view(pubs_).substr(0, copies * pub_size_)); }
  void close() override {
    closing_ = true;
    subscriber_->on_pong(nullptr);
    publisher_->close();
    subscriber_->close();
  }
  uint64_t anomalies() const override { return anomalies_; }
  size_t pub_body_size() const { return payload_size_; }

 private:
  uint16_t port_;
  std::string subject_;
  size_t payload_size_;
  std::string pubs_;
  size_t pub_size_ = 0;
  std::shared_ptr<NatsClient> publisher_, subscriber_;
  uint64_t anomalies_ = 0;
  bool closing_ = false;
};

ThroughputResult drive(asio::io_context& ioc, std::vector<std::unique_ptr<PairLink>>& links,
                       const ThroughputConfig& config) {
  uint64_t delivered = 0;
  std::vector<std::unique_ptr<FlowWindow>> flows;
  for (auto& link : links) {
    PairLink* l = link.get();
    flows.push_back(std::make_unique<FlowWindow>(config.window, [l](size_t n) { l->send(n); }));
    FlowWindow* flow = flows.back().get();
    l->on_delivery = [flow, &delivered] {
      ++delivered;
      flow->delivered();
    };
  }
  MeasureHooks hooks;
  hooks.setup = [&](std::function<void(const std::string&)> ready) {
    auto all = join(links.size(), std::move(ready));
    for (auto& link : links) link->connect(all);
  };
  hooks.start = [&] {
    for (auto& flow : flows) flow->pump();
  };
  hooks.count = [&] { return delivered; };
  double server0 = -1, bench0 = -1, server_cpu = -1, bench_cpu = -1;
  hooks.on_mark = [&](bool begin) {
    auto server = config.server_pid > 0 ? cpu_seconds(config.server_pid) : absl::StatusOr<double>(-1.0);
    auto self = cpu_seconds(0);
    const double s = server.ok() ? *server : -1, b = self.ok() ? *self : -1;
    if (begin) {
      server0 = s;
      bench0 = b;
    } else {
      if (s >= 0 && server0 >= 0) server_cpu = s - server0;
      if (b >= 0 && bench0 >= 0) bench_cpu = b - bench0;
    }
  };
  hooks.halt = [&] {
    for (auto& flow : flows) flow->stop();
  };
  hooks.drained = [&] {
    for (auto& flow : flows) {
      if (flow->in_flight() > 0) return false;
    }
    return true;
  };
  hooks.stop = [&] {
    for (auto& flow : flows) flow->stop();
    for (auto& link : links) link->close();
  };
  Measured m = run_measured(ioc, config.timing, hooks);
  ThroughputResult r;
  r.error = m.error;
  r.delivered = m.count;
  r.seconds = m.seconds;
  r.per_second = m.seconds > 0 ? static_cast<double>(m.count) / m.seconds : 0;
  for (auto& link : links) r.anomalies += link->anomalies();
  r.server_cpu_seconds = server_cpu;
  r.bench_cpu_seconds = bench_cpu;
  // Deliveries stop being counted once the links close; drop the callbacks that point
  // at this frame before the links (owned by the caller) outlive it.
  for (auto& link : links) link->on_delivery = nullptr;
  return r;
}

}  // namespace

ThroughputResult run_rmb_throughput(const Fixture& fixture, size_t first_identity, uint16_t relay_port,
                                    const ThroughputConfig& config) {
  if (fixture.size() < first_identity + 2 * config.pairs) {
    ThroughputResult r;
    r.error = "not enough identities for the pairs";
    return r;
  }
  asio::io_context ioc(1);
  std::vector<std::unique_ptr<PairLink>> links;
  size_t envelope_size = 0;
  for (size_t i = 0; i < config.pairs; ++i) {
    const size_t s = first_identity + 2 * i;
    const Identity& sender = fixture.identity(s);
    const Identity& receiver = fixture.identity(s + 1);
    std::string envelope = signed_request(sender, receiver.twin, config.payload);
    envelope_size = envelope.size();
    links.push_back(
        std::make_unique<RmbPair>(ioc, relay_port, fixture.token(s), fixture.token(s + 1), std::move(envelope)));
  }
  ThroughputResult r = drive(ioc, links, config);
  r.message_bytes = envelope_size;
  return r;
}

ThroughputResult run_nats_throughput(uint16_t nats_port, const ThroughputConfig& config) {
  asio::io_context ioc(1);
  std::vector<std::unique_ptr<PairLink>> links;
  for (size_t i = 0; i < config.pairs; ++i) {
    links.push_back(std::make_unique<NatsPair>(ioc, nats_port, i, config.payload, config.window));
  }
  ThroughputResult r = drive(ioc, links, config);
  r.message_bytes = config.payload;
  return r;
}

}  // namespace rmb::bench
