#include "relay/metrics.h"

#include "absl/strings/str_cat.h"

#include "core/obs/log.h"

namespace rmb::relay {

void LabelledCounter::inc(std::string_view label, uint64_t n) {
  std::lock_guard lock(mu_);
  auto it = values_.find(label);
  if (it == values_.end()) it = values_.emplace(std::string(label), 0).first;
  it->second += n;
}

uint64_t LabelledCounter::value(std::string_view label) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(label);
  return it == values_.end() ? 0 : it->second;
}

std::map<std::string, uint64_t, std::less<>> LabelledCounter::values() const {
  std::lock_guard lock(mu_);
  return values_;
}

void Histogram::observe(double seconds) {
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view help) const {
  core::append(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " histogram\n");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    core::append(&out, name, "_bucket{le=\"", kBounds[i], "\"} ", cumulative, "\n");
  }
  uint64_t count = count_.load(std::memory_order_relaxed);
  core::append(&out, name, "_bucket{le=\"+Inf\"} ", count, "\n");
  core::append(&out, name, "_sum ", static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9, "\n");
  core::append(&out, name, "_count ", count, "\n");
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void Metrics::add_collector(std::function<void(std::string& out)> collect) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

namespace {

void render_counter(std::string& out, std::string_view name, std::string_view help, uint64_t value) {
  core::append(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n", name, " ", value, "\n");
}

void render_labelled(std::string& out, std::string_view name, std::string_view help, std::string_view label,
                     const LabelledCounter& counter) {
  core::append(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n");
  for (const auto& [value, count] : counter.values()) {
    core::append(&out, name, "{", label, "=\"", escape_label(value), "\"} ", count, "\n");
  }
}

}  // namespace

std::string Metrics::render() const {
  std::string out;
  render_counter(out, "relay_message_rx", "Binary frames received from sessions", message_rx.value());
  render_counter(out, "relay_message_tx", "Frames written to sessions", message_tx.value());
  render_counter(out, "relay_message_rx_bytes", "Bytes of binary frames received", message_rx_bytes.value());
  render_counter(out, "relay_message_tx_bytes", "Bytes of frames written to sessions", message_tx_bytes.value());
  render_counter(out, "relay_federation_rx", "Envelopes accepted on POST /", federation_rx.value());
  render_labelled(out, "relay_session_evictions_total", "Sessions closed by the relay or the peer", "reason",
                  evictions);
  render_labelled(out, "relay_drops_total", "Messages dropped, by reason", "reason", drops);
  route_seconds.render(out, "relay_route_seconds", "Time to route one received frame");
  std::lock_guard lock(mu_);
  for (const auto& g : gauges_) {
    core::append(&out, "# HELP ", g.name, " ", g.help, "\n# TYPE ", g.name, " gauge\n", g.name, " ", g.read(), "\n");
  }
  for (const auto& collect : collectors_) collect(out);
  return out;
}

}  // namespace rmb::relay
