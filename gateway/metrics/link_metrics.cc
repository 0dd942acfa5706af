#include "gateway/metrics/link_metrics.h"

namespace rmb::gateway::metrics {

void register_link_metrics(core::metrics::Registry& registry, const RelayLinks& links) {
  registry.add_collector([&links](std::vector<core::metrics::FamilyData>& out) {
    using core::metrics::MetricType;
    core::metrics::FamilyData up{
        "rmb_peer_relay_link_up", "1 when the link to the relay is connected.", MetricType::kGauge, {"url"}, {}, {}};
    core::metrics::FamilyData reconnects{"rmb_peer_relay_link_reconnects_total",
                                         "Connections made to the relay after the first.",
                                         MetricType::kCounter,
                                         {"url"},
                                         {},
                                         {}};
    int64_t connected = 0;
    for (const auto& l : links.status()) {
      const int64_t is_up = l.state == LinkStatus::State::kConnected ? 1 : 0;
      connected += is_up;
      up.samples.push_back({{l.url}, is_up});
      reconnects.samples.push_back({{l.url}, l.reconnects});
    }
    out.push_back(std::move(up));
    out.push_back(std::move(reconnects));
    out.push_back({"rmb_peer_relay_links_connected",
                   "Relay links connected now.",
                   MetricType::kGauge,
                   {},
                   {{{}, connected}},
                   {}});
  });
}

}  // namespace rmb::gateway::metrics
