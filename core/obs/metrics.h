#pragma once
// The one metrics registry of every rmb program (rmb-relay, rmb-peer). Hand-written because
// Debian 12 ships no Prometheus client library for C++.
//
// The hot path (one increment per message, from any thread) is a relaxed atomic add: no
// lock and no allocation. A labelled child is found in an append-only lock-free list; keep
// a reference to it when the labels are known in advance. Registration takes a mutex and
// happens at startup. Rendering reads every metric into FamilyData (metrics_data.h), which
// metrics_text.h turns into the Prometheus text exposition.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/obs/metrics_data.h"

namespace rmb::core::metrics {

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down, kept as an integer (counts of things: pending requests,
// sessions). Values only known to another component are read at scrape time instead
// (Registry::gauge_callback).
class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  // Upper bounds, ascending; an observation lands in the first bucket whose bound is >= it
  // (bounds are inclusive). An implicit +Inf bucket follows the last.
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket `i` (i == bounds().size() is +Inf).
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// One metric per combination of label values, created on first use and kept for the life
// of the family. M is Counter, Gauge or Histogram.
template <class M>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<M>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}
  ~Family();
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for these label values (as many as the family has label names).
  template <class... V>
  M& with(const V&... values) {
    const std::array<std::string_view, sizeof...(V)> array{std::string_view(values)...};
    return find_or_add(array);
  }

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Every child with its label values, in no particular order.
  void for_each(const std::function<void(const std::vector<std::string>&, const M&)>& visit) const;

 private:
  struct Child {
    std::vector<std::string> values;
    std::unique_ptr<M> metric;
    Child* next = nullptr;
  };
  // In [from, to): the child with these values, or null.
  static Child* find(Child* from, const Child* to, std::span<const std::string_view> values);
  M& find_or_add(std::span<const std::string_view> values);

  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<M>()> make_;
  std::atomic<Child*> head_{nullptr};
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registration: a name is registered once (std::invalid_argument otherwise). The
  // references stay valid for the life of the registry.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> bounds);
  Family<Counter>& counter_family(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Gauge>& gauge_family(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Histogram>& histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                                      std::vector<double> bounds);

  // A gauge read at scrape time (sessions connected, mailbox depth, ...).
  void gauge_callback(std::string name, std::string help, std::function<double()> read);
  // Families whose values another component keeps (a federator's per-relay counts, the
  // relay links' states): `collect` appends them at scrape time. Runs on the scraping
  // thread; names are the collector's to keep unique.
  void add_collector(std::function<void(std::vector<FamilyData>& out)> collect);

  // Every family, in registration order; the children of a labelled family sorted by
  // their label values.
  std::vector<FamilyData> collect() const;
  // collect() in the Prometheus text exposition format (version 0.0.4).
  std::string render() const;

  struct Entry;  // one registered family; defined in metrics.cc

 private:
  void add(std::unique_ptr<Entry> entry);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace rmb::core::metrics
