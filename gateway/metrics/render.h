#pragma once
// Prometheus text for the relay links (one series per relay URL). Engine counters are
// rendered by render_engine (engine_metrics.cc) next to these.
#include <string>
#include <string_view>
#include <vector>

#include "gateway/link/relay_links.h"

namespace rmb::gateway::metrics {

// Escapes a label value (backslash, double quote, newline).
std::string label_value(std::string_view text);

void render_links(std::string& out, const std::vector<LinkStatus>& links);

}  // namespace rmb::gateway::metrics
