#pragma once
// Prometheus text for the engine's counters and latency histogram (gateway/engine/stats.h).
#include <string>

#include "gateway/engine/stats.h"

namespace rmb::gateway::metrics {

void render_engine(std::string& out, const EngineStats& stats);

}  // namespace rmb::gateway::metrics
