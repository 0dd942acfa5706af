#pragma once
// The relay's Prometheus metrics, rendered in the text exposition format (version 0.0.4).
// Hand-written because Debian 12 ships no Prometheus client library for C++; the format
// is a few lines of text per metric. Counters are lock-free atomics on the hot path;
// labelled counters (drops, evictions, federation) take a mutex and are rarely touched.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rmb::relay {

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A counter family with one label (e.g. reason).
class LabelledCounter {
 public:
  void inc(std::string_view label, uint64_t n = 1);
  uint64_t value(std::string_view label) const;
  std::map<std::string, uint64_t, std::less<>> values() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> values_;
};

class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
                                                     0.001,   0.0025,   0.005,   0.01,   0.1,     1.0};
  void observe(double seconds);
  void render(std::string& out, std::string_view name, std::string_view help) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nanos_{0};
};

class Metrics {
 public:
  Counter message_rx;  // binary frames received from sessions
  Counter message_tx;  // frames written to sessions
  Counter message_rx_bytes;
  Counter message_tx_bytes;
  Counter federation_rx;      // envelopes accepted on POST /
  LabelledCounter evictions;  // relay_session_evictions_total{reason}
  LabelledCounter drops;      // relay_drops_total{reason}
  Histogram route_seconds;

  // Values read at scrape time (sessions connected, mailbox depth, ...).
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  // Free-form extra families appended at scrape time (federation_message_success/error
  // {relay}, owned by the federator). The callback appends complete exposition lines to `out`.
  void add_collector(std::function<void(std::string& out)> collect);

  std::string render() const;

 private:
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  mutable std::mutex mu_;
  std::vector<Gauge> gauges_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

// Escapes a label value for the exposition format (backslash, quote, newline).
std::string escape_label(std::string_view value);

}  // namespace rmb::relay
