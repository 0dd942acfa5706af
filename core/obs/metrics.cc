#include "core/obs/metrics.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/obs/metrics_text.h"

namespace rmb::core::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) throw std::invalid_argument("histogram bounds not ascending");
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  const auto i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

template <class M>
Family<M>::~Family() {
  for (Child* c = head_.load(std::memory_order_acquire); c != nullptr;) delete std::exchange(c, c->next);
}

template <class M>
typename Family<M>::Child* Family<M>::find(Child* from, const Child* to, std::span<const std::string_view> values) {
  for (Child* c = from; c != to; c = c->next) {
    if (std::equal(c->values.begin(), c->values.end(), values.begin(), values.end())) return c;
  }
  return nullptr;
}

template <class M>
M& Family<M>::find_or_add(std::span<const std::string_view> values) {
  if (values.size() != label_names_.size()) throw std::invalid_argument("wrong number of label values");
  Child* seen = head_.load(std::memory_order_acquire);
  if (Child* c = find(seen, nullptr, values)) return *c->metric;
  auto* fresh = new Child{std::vector<std::string>(values.begin(), values.end()), make_(), seen};
  // Children are only ever pushed at the head: when another thread pushed first, only
  // what it added (between the new head and the one we had seen) can hold our values.
  while (!head_.compare_exchange_weak(fresh->next, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
    if (Child* c = find(fresh->next, seen, values)) {
      delete fresh;
      return *c->metric;
    }
    seen = fresh->next;
  }
  return *fresh->metric;
}

template <class M>
void Family<M>::for_each(const std::function<void(const std::vector<std::string>&, const M&)>& visit) const {
  for (const Child* c = head_.load(std::memory_order_acquire); c != nullptr; c = c->next) visit(c->values, *c->metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

namespace {

Sample sample_of(std::vector<std::string> labels, const Counter& c) { return {std::move(labels), c.value()}; }
Sample sample_of(std::vector<std::string> labels, const Gauge& g) { return {std::move(labels), g.value()}; }

HistogramSample histogram_of(std::vector<std::string> labels, const Histogram& h) {
  HistogramSample s{std::move(labels), h.bounds(), {}, h.count(), h.sum()};
  for (size_t i = 0; i <= h.bounds().size(); ++i) s.buckets.push_back(h.bucket(i));
  return s;
}

template <class M>
void add_to(FamilyData& f, std::vector<std::string> labels, const M& metric) {
  if constexpr (std::is_same_v<M, Histogram>) {
    f.histograms.push_back(histogram_of(std::move(labels), metric));
  } else {
    f.samples.push_back(sample_of(std::move(labels), metric));
  }
}

template <class M>
constexpr MetricType type_of() {
  if constexpr (std::is_same_v<M, Counter>) return MetricType::kCounter;
  if constexpr (std::is_same_v<M, Gauge>) return MetricType::kGauge;
  return MetricType::kHistogram;
}

}  // namespace

struct Registry::Entry {
  std::string name;
  virtual ~Entry() = default;
  virtual void collect(std::vector<FamilyData>& out) const = 0;
};

namespace {

template <class M>
struct Single final : Registry::Entry {
  std::string help;
  std::unique_ptr<M> metric;
  void collect(std::vector<FamilyData>& out) const override {
    FamilyData f{name, help, type_of<M>(), {}, {}, {}};
    add_to(f, {}, *metric);
    out.push_back(std::move(f));
  }
};

template <class M>
struct Labelled final : Registry::Entry {
  std::string help;
  std::unique_ptr<Family<M>> family;
  void collect(std::vector<FamilyData>& out) const override {
    FamilyData f{name, help, type_of<M>(), family->label_names(), {}, {}};
    std::vector<std::pair<std::vector<std::string>, const M*>> children;
    family->for_each([&](const std::vector<std::string>& values, const M& m) { children.emplace_back(values, &m); });
    std::sort(children.begin(), children.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [values, m] : children) add_to(f, std::move(values), *m);
    out.push_back(std::move(f));
  }
};

struct Callback final : Registry::Entry {
  std::function<void(std::vector<FamilyData>&)> read;
  void collect(std::vector<FamilyData>& out) const override { read(out); }
};

template <class M>
std::unique_ptr<Single<M>> single(std::string name, std::string help, std::unique_ptr<M> metric) {
  auto e = std::make_unique<Single<M>>();
  e->name = std::move(name);
  e->help = std::move(help);
  e->metric = std::move(metric);
  return e;
}

template <class M, class... Args>
std::unique_ptr<Labelled<M>> labelled(std::string name, std::string help, std::vector<std::string> label_names,
                                      Args... args) {
  auto e = std::make_unique<Labelled<M>>();
  e->name = std::move(name);
  e->help = std::move(help);
  e->family = std::make_unique<Family<M>>(std::move(label_names), [args...] { return std::make_unique<M>(args...); });
  return e;
}

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::add(std::unique_ptr<Entry> entry) {
  std::lock_guard lock(mu_);
  if (!entry->name.empty()) {
    for (const auto& e : entries_) {
      if (e->name == entry->name) throw std::invalid_argument("metric registered twice: " + entry->name);
    }
  }
  entries_.push_back(std::move(entry));
}

Counter& Registry::counter(std::string name, std::string help) {
  auto e = single(std::move(name), std::move(help), std::make_unique<Counter>());
  Counter& metric = *e->metric;
  add(std::move(e));
  return metric;
}

Gauge& Registry::gauge(std::string name, std::string help) {
  auto e = single(std::move(name), std::move(help), std::make_unique<Gauge>());
  Gauge& metric = *e->metric;
  add(std::move(e));
  return metric;
}

Histogram& Registry::histogram(std::string name, std::string help, std::vector<double> bounds) {
  auto e = single(std::move(name), std::move(help), std::make_unique<Histogram>(std::move(bounds)));
  Histogram& metric = *e->metric;
  add(std::move(e));
  return metric;
}

Family<Counter>& Registry::counter_family(std::string name, std::string help, std::vector<std::string> label_names) {
  auto e = labelled<Counter>(std::move(name), std::move(help), std::move(label_names));
  Family<Counter>& family = *e->family;
  add(std::move(e));
  return family;
}

Family<Gauge>& Registry::gauge_family(std::string name, std::string help, std::vector<std::string> label_names) {
  auto e = labelled<Gauge>(std::move(name), std::move(help), std::move(label_names));
  Family<Gauge>& family = *e->family;
  add(std::move(e));
  return family;
}

Family<Histogram>& Registry::histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                                              std::vector<double> bounds) {
  // Checked here rather than at the first child, far from the mistake.
  if (!std::is_sorted(bounds.begin(), bounds.end())) throw std::invalid_argument("histogram bounds not ascending");
  auto e = labelled<Histogram>(std::move(name), std::move(help), std::move(label_names), std::move(bounds));
  Family<Histogram>& family = *e->family;
  add(std::move(e));
  return family;
}

void Registry::gauge_callback(std::string name, std::string help, std::function<double()> read) {
  auto e = std::make_unique<Callback>();
  e->name = name;
  e->read = [name = std::move(name), help = std::move(help), read = std::move(read)](std::vector<FamilyData>& out) {
    out.push_back(FamilyData{name, help, MetricType::kGauge, {}, {Sample{{}, read()}}, {}});
  };
  add(std::move(e));
}

void Registry::add_collector(std::function<void(std::vector<FamilyData>& out)> collect) {
  auto e = std::make_unique<Callback>();
  e->read = std::move(collect);
  add(std::move(e));
}

std::vector<FamilyData> Registry::collect() const {
  std::vector<FamilyData> out;
  std::lock_guard lock(mu_);
  for (const auto& e : entries_) e->collect(out);
  return out;
}

std::string Registry::render() const { return render_text(collect()); }

}  // namespace rmb::core::metrics
