#pragma once
// The relay links' metric families (one series per relay URL), read from
// RelayLinks::status() at scrape time. The engine registers its own (gateway/engine/stats.h).
#include "core/obs/metrics.h"
#include "gateway/link/relay_links.h"

namespace rmb::gateway::metrics {

// `links` must outlive the registry's last scrape.
void register_link_metrics(core::metrics::Registry& registry, const RelayLinks& links);

}  // namespace rmb::gateway::metrics
