#pragma once
// The end of a chaos run, for a person (a table) and for a program (--json).
#include <string>

#include <nlohmann/json.hpp>

#include "tools/chaos/ledger.h"

namespace rmb::tools::chaos {

struct RunInfo {
  uint64_t requests = 0;
  uint32_t concurrency = 0;
  uint64_t seed = 0;
  uint32_t expiration_s = 0;
  double seconds = 0;   // from the first request to the end of the settle window
  std::string network;  // one line: where the relays and Redis listen
  std::string logs;     // DIR/logs
  bool logs_kept = false;
  std::string aborted;  // why the run stopped early, if it did
};

std::string format_report(const RunInfo& info, const Summary& summary);
nlohmann::ordered_json report_json(const RunInfo& info, const Summary& summary);

}  // namespace rmb::tools::chaos
